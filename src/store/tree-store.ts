// The tree store (rkt-internals §2.4): `cas/tree/<key>/` holds the image rendered with its
// dependencies (`manifest`, `rootfs/`), its tree hash (`hash`) and, last, the `rendered`
// marker. The marker is the commit point: it is created only after everything else is
// written, and a tree without it is never used. It exists only while the image is stored,
// so it also tells that without the index (rendered-lookup.ts). The tree itself is not synced: the marker
// holds the boot it was written in (written-this-boot.ts), and a tree from an earlier boot
// is re-hashed once before its first use, rebuilt if it differs. Otherwise reuse does not
// re-hash; `verify` does, on demand. The hash file names its version (native/tree_digest.h): trees
// are hashed with version 2 (`v2:sha512-...`), and a version 1 file (`sha512-...`, from an
// older store) is checked with version 1.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { serializeImageManifest } from "../appc";
import { fsyncDir, lockKeyFile, native, writeFileDurably, type LockMode } from "../sys";
import { readRenderedMark, RENDERED_MARKER } from "./rendered-lookup";
import { renderOrder, type RenderLayer } from "./render-order";
import type { Store } from "./store";
import { needsProof, unsyncedMark } from "./written-this-boot";

/** What rkt says when a stored tree turns out damaged and is rendered again. */
export const TREE_REBUILD_WARNING = "Warning: tree cache is in a bad state. Rebuilding...\n";

export class TreeStore {
  constructor(private readonly store: Store) {}

  path(key: string): string {
    return this.store.layout.tree(key);
  }

  isRendered(key: string): boolean {
    return this.readMark(key) !== undefined;
  }

  /**
   * Renders the tree unless a complete one exists; returns its directory. A tree written
   * without a sync in an earlier boot is proven first, and rebuilt if it differs.
   */
  async render(key: string): Promise<string> {
    return this.withTreeLock(key, "exclusive", () => {
      const mark = this.readMark(key);
      if (mark === undefined) this.build(key);
      else if (needsProof(mark)) this.prove(key);
      return this.path(key);
    });
  }

  /** Recomputes the tree hash and compares it with the one recorded at render time. */
  verify(key: string): boolean {
    return this.withTreeLock(key, "shared", () => this.isRendered(key) && this.hashMatches(key));
  }

  private hashMatches(key: string): boolean {
    const dir = this.path(key);
    try {
      const recorded = readFileSync(join(dir, "hash"), "utf8");
      return native.treeHash(join(dir, "rootfs"), versionOf(recorded)) === recorded;
    } catch {
      return false;
    }
  }

  /** Re-hashes a tree that was not synced before a reboot: it is marked as on disk, or rebuilt. The caller holds the exclusive tree lock. */
  private prove(key: string): void {
    if (this.hashMatches(key)) {
      this.mark(key, "");
      return;
    }
    process.stderr.write(TREE_REBUILD_WARNING);
    this.build(key);
  }

  /** The `rendered` marker's mark; undefined when the tree is not complete. */
  private readMark(key: string): string | undefined {
    return readRenderedMark(this.store.layout, key);
  }

  /** Writes the `rendered` marker, the tree's commit point, with its mark (written-this-boot.ts). */
  private mark(key: string, mark: string): void {
    const dir = this.path(key);
    writeFileDurably(join(dir, `${RENDERED_MARKER}.tmp`), join(dir, RENDERED_MARKER), mark);
    fsyncDir(dir);
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
    // The manifest is not covered by the tree hash: it is written durably.
    writeFileDurably(join(dir, "manifest.tmp"), join(dir, "manifest"), serializeImageManifest(layers[0]!.manifest));
    // The import hashed the tree as it wrote it; where it could not (dependencies or a
    // whitelist extracted here, an import not run as root), a walk computes the hash.
    let hash = tookStaged && dependencies.length === 0 ? staged.treeHash : undefined;
    hash ??= native.treeHash(rootfs);
    writeFileDurably(join(dir, "hash.tmp"), join(dir, "hash"), hash);
    this.mark(key, unsyncedMark());
  }

  /**
   * Takes the tree's `rendered` marker away, durably: the tree is no longer trusted, and no
   * longer tells that its image is stored (rendered-lookup.ts). The caller holds the
   * exclusive tree lock.
   */
  unmark(key: string): void {
    if (!this.isRendered(key)) return;
    const dir = this.path(key);
    rmSync(join(dir, RENDERED_MARKER));
    fsyncDir(dir);
  }

  /** Removes whatever is at the tree's place: the marker first, so no one trusts the rest. */
  private removePartial(key: string): void {
    const dir = this.path(key);
    if (!existsSync(dir)) return;
    this.unmark(key);
    native.removeTree(dir);
  }
}

/** The version of a recorded tree hash: `v2:sha512-...`, or version 1's bare `sha512-...`. */
function versionOf(recorded: string): native.TreeHashVersion {
  return recorded.startsWith("v2:") ? 2 : 1;
}
