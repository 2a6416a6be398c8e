// Copies of stored images outside the store, for `rkt image export|extract|render`.
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { serializeImageManifest, type ImageManifest } from "../appc";
import { native, withTemporary } from "../sys";
import type { Store } from "./store";

export interface DirectoryOutput {
  /** Put the rootfs contents directly in the directory, without `manifest`. */
  rootfsOnly: boolean;
  /** Replace an existing directory (deleted first). */
  overwrite: boolean;
}

/** Writes the image's uncompressed tar to `outputPath` atomically; its sha512 is the image ID. */
export async function exportImage(store: Store, key: string, outputPath: string, overwrite: boolean): Promise<void> {
  checkOutputParent(outputPath);
  if (existsSync(outputPath)) {
    if (!overwrite) throw new Error("output ACI file exists (try --overwrite)");
    if (statSync(outputPath).isDirectory()) throw new Error(`output ${outputPath} is a directory`);
  }
  const temp = temporarySibling(outputPath);
  await withTemporary(temp, () => {
    // The blob may be compressed: the export is always the tar the image ID hashes (fsynced).
    store.withImageLock(key, "shared", () => native.readBlob(store.blobPath(key), temp));
    renameSync(temp, outputPath);
  });
}

/** Unpacks the image alone (no dependencies): `manifest` + `rootfs/`, or the rootfs contents. */
export async function extractImage(store: Store, key: string, outputDir: string, opts: DirectoryOutput): Promise<void> {
  const manifest = store.readManifest(key);
  await writeOutputDir(outputDir, opts, (rootfs) => {
    store.withImageLock(key, "shared", () => native.extractRootfs(store.blobPath(key), rootfs, {}));
    return manifest;
  });
}

/**
 * Copies the image rendered with its dependencies out of the tree store, checking the
 * cached tree first and rebuilding it (after `onRebuild`) if the check fails.
 */
export async function renderImage(
  store: Store,
  key: string,
  outputDir: string,
  opts: DirectoryOutput & { onRebuild: () => void },
): Promise<void> {
  checkOutputDir(outputDir, opts.overwrite);
  await writeOutputDir(outputDir, opts, async (rootfs) => {
    await store.trees.copyRootfsVerified(key, rootfs, opts.onRebuild);
    return store.readManifest(key);
  });
}

/**
 * Fills a temporary sibling of `outputDir` (the rootfs, then `manifest` unless rootfsOnly)
 * and renames it into place, so a failure or an interrupt never leaves a half-filled
 * output directory.
 */
async function writeOutputDir(
  outputDir: string,
  opts: DirectoryOutput,
  fill: (rootfs: string) => ImageManifest | Promise<ImageManifest>,
): Promise<void> {
  checkOutputDir(outputDir, opts.overwrite);
  const temp = temporarySibling(outputDir);
  await withTemporary(temp, async () => {
    const rootfs = opts.rootfsOnly ? temp : join(temp, "rootfs");
    mkdirSync(rootfs, { recursive: true, mode: 0o755 });
    const manifest = await fill(rootfs);
    if (!opts.rootfsOnly) writeFileSync(join(temp, "manifest"), serializeImageManifest(manifest));
    if (existsSync(outputDir)) native.removeTree(outputDir);
    renameSync(temp, outputDir);
  });
}

function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
}

function checkOutputParent(path: string): void {
  const parent = dirname(resolve(path));
  if (!existsSync(parent)) throw new Error(`output directory ${parent} does not exist`);
}

function checkOutputDir(dir: string, overwrite: boolean): void {
  checkOutputParent(dir);
  if (!existsSync(dir)) return;
  if (!overwrite) throw new Error("output directory exists (try --overwrite)");
  if (resolve(dir) === "/") throw new Error("this would delete your root filesystem. Refusing.");
}
