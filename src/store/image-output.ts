// Copies of stored images outside the store, for `rkt image export|extract|render`.
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, constants } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { serializeImageManifest } from "../appc";
import { native } from "../sys";
import type { Store } from "./store";

export interface DirectoryOutput {
  /** Put the rootfs contents directly in the directory, without `manifest`. */
  rootfsOnly: boolean;
  /** Replace an existing directory (deleted first). */
  overwrite: boolean;
}

/** Writes the stored uncompressed tar to `outputPath` atomically; its sha512 is the image ID. */
export function exportImage(store: Store, key: string, outputPath: string, overwrite: boolean): void {
  if (!overwrite && existsSync(outputPath)) throw new Error("output ACI file exists (try --overwrite)");
  const temp = join(dirname(outputPath), `.${basename(outputPath)}.tmp-${process.pid}`);
  try {
    store.withImageLock(key, "shared", () => copyFileSync(store.blobPath(key), temp));
    const fd = openSync(temp, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, outputPath);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Unpacks the image alone (no dependencies): `manifest` + `rootfs/`, or the rootfs contents. */
export function extractImage(store: Store, key: string, outputDir: string, opts: DirectoryOutput): void {
  prepareOutputDir(outputDir, opts.overwrite);
  const manifest = store.readManifest(key);
  const rootfs = opts.rootfsOnly ? outputDir : join(outputDir, "rootfs");
  mkdirSync(rootfs, { recursive: true });
  store.withImageLock(key, "shared", () => native.extractRootfs(store.blobPath(key), rootfs, {}));
  if (!opts.rootfsOnly) writeFileSync(join(outputDir, "manifest"), serializeImageManifest(manifest));
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
  prepareOutputDir(outputDir, opts.overwrite);
  const tree = await store.trees.renderVerified(key, opts.onRebuild);
  const rootfs = opts.rootfsOnly ? outputDir : join(outputDir, "rootfs");
  mkdirSync(dirname(rootfs), { recursive: true });
  store.trees.withTreeLock(key, "shared", () => native.copyTree(join(tree, "rootfs"), rootfs, {}));
  if (!opts.rootfsOnly) writeFileSync(join(outputDir, "manifest"), serializeImageManifest(store.readManifest(key)));
}

function prepareOutputDir(dir: string, overwrite: boolean): void {
  if (!existsSync(dir)) return;
  if (!overwrite) throw new Error("output directory exists (try --overwrite)");
  if (resolve(dir) === "/") throw new Error("this would delete your root filesystem. Refusing.");
  native.removeTree(dir);
}
