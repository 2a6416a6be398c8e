// What an IMAGE argument names (rkt-cli.md §2), tried in order: an image ID, an existing
// local file, an image name, a URL.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { isImageId, parseImageString, withHostOsArch, type Label } from "../appc";

export type ImageSource =
  | { kind: "id"; id: string }
  | { kind: "file"; path: string }
  | { kind: "name"; name: string; labels: Label[] }
  | { kind: "url"; scheme: "http" | "https" | "docker"; url: string };

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

export function classifyImage(ref: string): ImageSource {
  if (isImageId(ref)) return { kind: "id", id: ref };
  const scheme = SCHEME.exec(ref)?.[1]?.toLowerCase();
  const localPath = scheme === undefined ? ref : scheme === "file" ? fileUrlPath(ref) : undefined;
  if (localPath !== undefined && existsOnDisk(localPath, ref)) return { kind: "file", path: resolve(localPath) };
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
