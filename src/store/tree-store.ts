// The tree store (rkt-internals §2.4): `cas/tree/<key>/` holds the image rendered with its
// dependencies (`manifest`, `rootfs/`), its tree hash (`hash`) and, last, the `rendered`
// marker. The marker is the commit point: it is created only after everything else is on
// disk (one syncfs), and a tree without it is never used. Reuse does not re-hash;
// `verify` does, on demand. The hash file names its version (native/tree_digest.h): trees
// are hashed with version 2 (`v2:sha512-...`), and a version 1 file (`sha512-...`, from an
// older store) is checked with version 1.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serializeImageManifest } from "../appc";
import { fsyncDir, lockKeyFile, native, syncFilesystemOf, writeFileDurably, type LockMode } from "../sys";
import { renderOrder, type RenderLayer } from "./render-order";
import type { Store } from "./store";

const RENDERED = "rendered";

export class TreeStore {
  constructor(private readonly store: Store) {}

  path(key: string): string {
    return this.store.layout.tree(key);
  }

  isRendered(key: string): boolean {
    return existsSync(join(this.path(key), RENDERED));
  }

  /** Renders the tree unless a complete one exists; returns its directory. */
  async render(key: string): Promise<string> {
    return this.withTreeLock(key, "exclusive", () => {
      if (!this.isRendered(key)) this.build(key);
      return this.path(key);
    });
  }

  /** Recomputes the tree hash and compares it with the one recorded at render time. */
  verify(key: string): boolean {
    return this.withTreeLock(key, "shared", () => {
      const dir = this.path(key);
      if (!this.isRendered(key)) return false;
      try {
        const recorded = readFileSync(join(dir, "hash"), "utf8");
        return native.treeHash(join(dir, "rootfs"), versionOf(recorded)) === recorded;
      } catch {
        return false;
      }
    });
  }

  /** Renders the tree and checks it; a tree that fails the check is rebuilt, after `onRebuild`. */
  async renderVerified(key: string, onRebuild: () => void): Promise<string> {
    const path = await this.render(key);
    if (this.verify(key)) return path;
    onRebuild();
    this.withTreeLock(key, "exclusive", () => this.build(key));
    return path;
  }

  /**
   * Renders the tree and copies its rootfs to `dest` (empty) while checking it on a second
   * thread; a tree that fails the check is rebuilt, after `onRebuild`, and copied again.
   */
  async copyRootfsVerified(key: string, dest: string, onRebuild: () => void): Promise<void> {
    await this.render(key);
    const rootfs = join(this.path(key), "rootfs");
    const intact = this.withTreeLock(key, "shared", () => {
      try {
        if (!this.isRendered(key)) return false;
        const recorded = readFileSync(join(this.path(key), "hash"), "utf8");
        return native.copyTreeHashed(rootfs, dest, versionOf(recorded)) === recorded;
      } catch {
        return false; // a file of the tree is gone or unreadable: damaged too
      }
    });
    if (intact) return;
    onRebuild();
    native.removeTree(dest);
    this.withTreeLock(key, "exclusive", () => this.build(key));
    this.withTreeLock(key, "shared", () => native.copyTree(rootfs, dest));
  }

  remove(key: string): void {
    this.withTreeLock(key, "exclusive", () => {
      this.removePartial(key);
      rmSync(this.store.layout.treeLock(key), { force: true });
    });
  }

  /** Runs `fn` holding the tree's lock: shared to read a tree, exclusive to change it. */
  withTreeLock<T>(key: string, mode: LockMode, fn: () => T): T {
    const lock = lockKeyFile(this.store.layout.treeLock(key), mode)!;
    try {
      return fn();
    } finally {
      lock.close();
    }
  }

  /** Builds the tree from scratch, leaving nothing behind on failure; the caller holds the exclusive tree lock. */
  private build(key: string): void {
    const layers = renderOrder(this.store, key);
    this.removePartial(key);
    try {
      this.write(key, layers);
    } catch (err) {
      this.removePartial(key);
      throw err;
    }
  }

  private write(key: string, layers: RenderLayer[]): void {
    const dir = this.path(key);
    const rootfs = join(dir, "rootfs");
    mkdirSync(dir, { recursive: true });
    // The image's own rootfs may have been rendered while it was imported; with a path
    // whitelist of its own it is extracted again here, filtered.
    const [top, ...dependencies] = layers;
    const staged = top!.whitelist === undefined ? this.store.takeStagedRootfs(key, rootfs) : undefined;
    const tookStaged = staged !== undefined;
    if (!tookStaged) mkdirSync(rootfs);
    for (const layer of tookStaged ? dependencies : layers) {
      this.store.withImageLock(layer.key, "shared", () => {
        if (!this.store.hasImage(layer.key)) throw new Error(`image ${layer.key} was removed while rendering ${key}`);
        native.extractRootfs(this.store.blobPath(layer.key), rootfs, {
          skipExisting: true,
          whitelist: layer.whitelist,
          whitelistAppliesToDirs: layer.whitelistAppliesToDirs,
          keepReserve: true,
        });
      });
    }
    writeFileSync(join(dir, "manifest"), serializeImageManifest(layers[0]!.manifest));
    // One syncfs for the whole tree. The import hashed the tree as it wrote it; where it
    // could not (dependencies or a whitelist extracted here, an import not run as root),
    // the hash is computed by a walk meanwhile, on the other core.
    let hash = tookStaged && dependencies.length === 0 ? staged.treeHash : undefined;
    if (hash === undefined) hash = native.treeHashSynced(rootfs);
    else syncFilesystemOf(rootfs);
    writeFileDurably(join(dir, "hash.tmp"), join(dir, "hash"), hash);
    fsyncDir(dir);
    writeFileSync(join(dir, RENDERED), "");
    fsyncDir(dir);
  }

  /** Removes whatever is at the tree's place: the marker first, so no one trusts the rest. */
  private removePartial(key: string): void {
    const dir = this.path(key);
    if (!existsSync(dir)) return;
    if (this.isRendered(key)) {
      rmSync(join(dir, RENDERED));
      fsyncDir(dir);
    }
    native.removeTree(dir);
  }
}

/** The version of a recorded tree hash: `v2:sha512-...`, or version 1's bare `sha512-...`. */
function versionOf(recorded: string): native.TreeHashVersion {
  return recorded.startsWith("v2:") ? 2 : 1;
}
