// Reading ACI files: the manifest alone (stops as soon as it is found), or a full check of
// the archive's layout as the reference's ValidateArchive does (appc.md §2.1).
import { posix } from "node:path";
import { describeLimit, SIZE_LIMITS } from "../size-limits";
import { openTarStream } from "./aci-compression";
import { parseImageManifest } from "./image-manifest";
import { ManifestError } from "./manifest-error";
import { readTar, type TarEntry } from "./tar-reader";
import type { ImageManifest } from "./types";

/** The entry's name cleaned like Go's filepath.Clean (`./manifest` -> `manifest`). */
export function cleanEntryName(name: string): string {
  const clean = posix.normalize(name);
  return clean.length > 1 ? clean.replace(/\/+$/, "") : clean;
}

/** Iterates the tar entries of an ACI file of any supported compression. */
export async function* aciEntries(path: string): AsyncGenerator<TarEntry> {
  const { stream } = await openTarStream(path);
  yield* readTar(stream);
}

/** The `manifest` entry parsed; one larger than its limit is refused before it is read. */
async function manifestOf(entry: TarEntry, file?: string): Promise<ImageManifest> {
  if (entry.header.size > SIZE_LIMITS.imageManifest) throw new Error(`the image manifest is larger than ${describeLimit(SIZE_LIMITS.imageManifest)}`);
  return parseImageManifest(new TextDecoder().decode(await entry.bytes()), file);
}

/** The image manifest of an ACI file; reads only as far as the `manifest` entry. */
export async function readAciManifest(path: string): Promise<ImageManifest> {
  for await (const entry of aciEntries(path)) {
    if (cleanEntryName(entry.header.name) === "manifest") return manifestOf(entry, path);
  }
  throw new Error(`missing manifest in ${path}`);
}

/** Checks the whole archive: a valid manifest, a rootfs directory, nothing else at the top, no duplicates. */
export async function validateAciArchive(path: string): Promise<ImageManifest> {
  const seen = new Set<string>();
  let manifest: ImageManifest | undefined;
  let haveRootfs = false;
  for await (const entry of aciEntries(path)) {
    const name = cleanEntryName(entry.header.name);
    if (name === ".") continue;
    if (seen.has(name)) throw new Error(`duplicate file entry in archive: ${name}`);
    seen.add(name);
    if (name === "manifest") {
      try {
        manifest = await manifestOf(entry);
      } catch (err) {
        if (err instanceof ManifestError) throw new Error(`image manifest validation failed: ${err.message}`);
        throw err;
      }
    } else if (name === "rootfs") {
      if (entry.header.type !== "directory") throw new Error("rootfs is not a directory");
      haveRootfs = true;
    } else if (!name.startsWith("rootfs/")) throw new Error(`unrecognized file path in layout: "${name}"`);
  }
  if (!manifest) throw new Error("no image manifest found in layout");
  if (!haveRootfs) throw new Error("no rootfs found in layout");
  return manifest;
}
