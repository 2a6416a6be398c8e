// What an IMAGE argument names (rkt-cli.md §2), tried in order: an image ID, an existing
// local file, a docker archive or OCI layout in skopeo's spelling (`docker-archive:FILE[:REF]`,
// `oci:DIR[:REF]`), an image name, a URL.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { isImageId, parseImageString, withHostOsArch, type Label } from "../appc";
import type { ArchiveImage } from "../docker";

export type ImageSource =
  | { kind: "id"; id: string }
  | { kind: "file"; path: string }
  | { kind: "name"; name: string; labels: Label[] }
  | { kind: "url"; scheme: "http" | "https" | "docker"; url: string }
  | ({ kind: "archive" } & ArchiveImage);

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;
/** skopeo's transports: the path ends at the first `:` after the prefix, the rest is REF. */
const ARCHIVE = /^(docker-archive|oci):([^:]+)(?::(.*))?$/;

export function classifyImage(ref: string): ImageSource {
  if (isImageId(ref)) return { kind: "id", id: ref };
  const scheme = SCHEME.exec(ref)?.[1]?.toLowerCase();
  const localPath = scheme === undefined ? ref : scheme === "file" ? fileUrlPath(ref) : undefined;
  if (localPath !== undefined && existsOnDisk(localPath, ref)) return { kind: "file", path: resolve(localPath) };
  const archive = scheme === undefined ? ARCHIVE.exec(ref) : null;
  if (archive) return archiveSource(archive[1] as ArchiveImage["format"], archive[2]!, archive[3], ref);
  if (scheme === undefined) {
    // Not on disk and not an image name: most likely a mistyped path.
    if (looksLikePath(ref)) throw new Error(`unable to access "${ref}": no such file`);
    const { name, labels } = parseImageString(ref);
    return { kind: "name", name, labels: withHostOsArch(labels) };
  }
  if (scheme === "http" || scheme === "https" || scheme === "docker") return { kind: "url", scheme, url: ref };
  if (scheme === "file") throw new Error(`unable to access "${ref}": no such file`);
  throw new Error(`rkt only supports http, https, docker or file URLs (${ref})`);
}

function archiveSource(format: ArchiveImage["format"], path: string, ref: string | undefined, arg: string): ImageSource {
  if (!existsOnDisk(path, arg)) throw new Error(`unable to access "${path}" (of ${arg}): no such ${format === "oci" ? "directory" : "file"}`);
  if (ref === "") throw new Error(`empty image name after the path in "${arg}" (leave out the ":" for the only image)`);
  return { kind: "archive", format, path: resolve(path), ref };
}

/** Image names never start with `/` or `.`; paths do. */
function looksLikePath(ref: string): boolean {
  return ref.startsWith("/") || ref.startsWith(".");
}

function fileUrlPath(ref: string): string {
  return decodeURIComponent(new URL(ref).pathname);
}

function existsOnDisk(path: string, ref: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return false;
    throw new Error(`unable to access "${ref}": ${(err as Error).message}`);
  }
}
