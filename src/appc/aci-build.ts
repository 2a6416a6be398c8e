// actool build: checks an image layout directory (`manifest` + `rootfs/`, nothing else)
// and packs it into an ACI, manifest first so that readers find it at once.
import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeAciFile, type AciWriteOptions } from "./aci-write";
import { parseImageManifest } from "./image-manifest";
import { ManifestError } from "./manifest-error";
import { HardlinkTracker, packTree } from "./tar-pack";
import { tarEnd } from "./tar-writer";
import type { ImageManifest } from "./types";

/** Checks an image layout directory the way the reference's ValidateLayout does; returns its manifest. */
export async function validateLayout(dir: string): Promise<ImageManifest> {
  const st = await lstat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new Error(`${dir} is not a directory`);
  let manifest: ImageManifest | undefined;
  let haveRootfs = false;
  for (const name of (await readdir(dir)).sort()) {
    const entry = await lstat(join(dir, name));
    if (name === "manifest") {
      if (!entry.isFile()) throw new Error("manifest is not a regular file");
      try {
        manifest = parseImageManifest(await readFile(join(dir, name), "utf8"));
      } catch (err) {
        if (err instanceof ManifestError) throw new Error(`image manifest validation failed: ${err.message}`);
        throw err;
      }
    } else if (name === "rootfs") {
      if (!entry.isDirectory()) throw new Error("rootfs is not a directory");
      haveRootfs = true;
    } else throw new Error(`unrecognized file path in layout: "${name}"`);
  }
  if (!manifest) throw new Error("no image manifest found in layout");
  if (!haveRootfs) throw new Error("no rootfs found in layout");
  return manifest;
}

async function* layoutTar(dir: string): AsyncGenerator<Uint8Array> {
  const links = new HardlinkTracker();
  yield* packTree(join(dir, "manifest"), "manifest", links);
  yield* packTree(join(dir, "rootfs"), "rootfs", links);
  yield tarEnd();
}

/** Validates `layoutDir` and writes it as the ACI `outFile`; returns the manifest. */
export async function buildAci(layoutDir: string, outFile: string, opts: AciWriteOptions): Promise<ImageManifest> {
  const manifest = await validateLayout(layoutDir);
  await writeAciFile(outFile, layoutTar(layoutDir), opts);
  return manifest;
}
