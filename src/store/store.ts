// The image store (rkt-internals §2): blobs by key, a manifest copy per image, the sqlite
// index, and the tree store. Every operation takes the locks of rkt-internals §3 and
// leaves the store consistent if the process is killed at any point: files are in place
// before the index names them, and the index forgets an image before its files go. A new
// blob is not synced: it carries a mark until it is proven after a reboot
// (written-this-boot.ts).
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  imageIdFromDigest,
  isImageId,
  labelValue,
  normalizeImageKey,
  parseImageManifest,
  parseImageString,
  serializeImageManifest,
  ManifestError,
  type Dependency,
  type ImageManifest,
  type Label,
} from "../appc";
import { FileLock, fsyncDir, lockKeyFile, mkdirDurably, native, SysError, writeFileDurably, type LockMode } from "../sys";
import { StoreIndex, type AciInfo, type RemoteInfo } from "./db";
import { StoreLayout } from "./layout";
import { findByNameAndLabels, formatLabels } from "./name-lookup";
import { renderedImageKey } from "./rendered-lookup";
import { importDockerLayerFiles, type BottomLayerArrival } from "./docker-layers-import";
import { TreeStore } from "./tree-store";
import { WorkDir } from "./work-dir";
import { needsProof, unsyncedMark } from "./written-this-boot";

/** The file in an `asOneUnit` run's work directory listing the images it imported first. */
const UNIT_JOURNAL = "imported";

/** `sha512-` and 64 hex digits: what a store key looks like (a journal line is checked before use). */
function isStoreKey(text: string): boolean {
  return /^sha512-[0-9a-f]{64}$/.test(text);
}

export interface ImportedImage {
  key: string;
  manifest: ImageManifest;
}

export interface StoredImage {
  key: string;
  name: string;
  /** The manifest's `version` label, if any. */
  version?: string;
  importTime: Date;
  latest: boolean;
}

export class Store {
  readonly layout: StoreLayout;
  readonly trees: TreeStore;
  /** Opened by open(), or at its first use with `indexOnDemand`. */
  private openedIndex: StoreIndex | undefined;
  /** The `asOneUnit` run in progress: the images it imported first, also journaled on disk. */
  private unit: { imported: Set<string>; journal?: WorkDir } | undefined;
  /** Set while importing images whose tree is rendered next (importsForRender). */
  private rendersImports = false;
  /** Rootfs trees rendered while importing (`<work>/rootfs`) with their tree hash when known, until the tree store takes them. */
  private readonly staged = new Map<string, { work: WorkDir; treeHash?: string }>();

  private constructor(
    layout: StoreLayout,
    private readonly storeLock: FileLock,
  ) {
    this.layout = layout;
    this.trees = new TreeStore(this);
  }

  get index(): StoreIndex {
    return (this.openedIndex ??= StoreIndex.open(this.layout, this.storeLock));
  }

  /**
   * Opens the store under `dataDir`, creating or migrating it; holds a shared store lock
   * until close. Work directories of killed imports, downloads and fetches are swept on
   * the way, and a killed fetch's images are undone. `indexOnDemand`: the index is opened
   * (and migrated) at its first use, if any: for callers that expect to find all they need
   * in rendered trees (rendered-lookup.ts), and so hold no store lock when they first need it.
   */
  static open(dataDir: string, opts: { indexOnDemand?: boolean } = {}): Store {
    const layout = new StoreLayout(dataDir);
    layout.create();
    const storeLock = FileLock.openDir(layout.cas);
    let store: Store;
    try {
      storeLock.lock("shared");
      store = new Store(layout, storeLock);
      if (!opts.indexOnDemand) store.openedIndex = StoreIndex.open(layout, storeLock);
    } catch (err) {
      storeLock.close();
      throw err;
    }
    WorkDir.sweep(layout.tmp, (dir) => store.undoKilledUnit(dir));
    return store;
  }

  close(): void {
    for (const { work } of this.staged.values()) work.remove();
    this.staged.clear();
    this.openedIndex?.close();
    this.storeLock.close();
  }

  /**
   * Imports an ACI file (any compression): the file is kept as it is (the blob), and one
   * pass over it hashes the uncompressed tar (the key) and, inside importsForRender, renders
   * the rootfs for the tree store; then the manifest copy and the index row follow under
   * the exclusive image lock. Importing an image that is already stored only refreshes its
   * row (its blob stays, whatever compression it came in). `scratch`: the file is the
   * caller's own in `cas/tmp` (a download), which no one else writes: it is moved in as
   * the blob instead of being copied.
   */
  async importAci(sourcePath: string, opts: { latest?: boolean; scratch?: boolean } = {}): Promise<ImportedImage> {
    return this.importWith(sourcePath, opts, (work, rootfs) => native.importAci(sourcePath, work, { renderDir: rootfs, takeSource: opts.scratch }));
  }

  /**
   * Imports a Docker image from its layer files (bottom first, as downloaded) squashed into
   * an ACI with `manifestJson` (native/docker_squash.h): one pass over the layers writes the
   * blob (a plain tar), hashes it (the key) and renders the rootfs as importAci does, with
   * no intermediate ACI file. `image` names it in messages. With `bottomArrival`, the
   * bottom layer's file is still to be written, and is imported as it arrives
   * (docker-layers-import.ts).
   */
  async importDockerLayers(layerFiles: string[], manifestJson: string, mtime: number, image: string, bottomArrival?: BottomLayerArrival): Promise<ImportedImage> {
    return this.importWith(image, {}, (work, rootfs) => importDockerLayerFiles(layerFiles, manifestJson, mtime, image, work, rootfs, bottomArrival));
  }

  /** The import of a blob that `read` writes into the work directory (rendering beneath `rootfs` when given). */
  private async importWith(source: string, opts: { latest?: boolean }, read: (work: string, rootfs: string | undefined) => native.ImportedAci | Promise<native.ImportedAci>): Promise<ImportedImage> {
    const work = WorkDir.create(this.layout.tmp);
    let staging = false;
    try {
      const rootfs = this.rendersImports ? join(work.path, "rootfs") : undefined;
      if (rootfs) mkdirSync(rootfs);
      const imported = await read(work.path, rootfs);
      if (!imported.manifest) throw new Error(`missing manifest in ${source}`);
      const manifest = parseImageManifest(new TextDecoder().decode(imported.manifest), source);
      const key = normalizeImageKey(imageIdFromDigest(imported.sha512));
      this.withImageLock(key, "exclusive", () => {
        if (!this.hasImage(key)) this.recordUnitImport(key);
        this.placeBlob(imported.blobPath, key);
        this.placeManifest(join(work.path, "manifest"), key, manifest);
        const now = new Date();
        this.index.putAciInfo({ key, appName: manifest.name, importTime: now, latest: opts.latest ?? false, lastUsed: now });
      });
      // An image with a path whitelist of its own is rendered filtered, from the blob.
      const usable = !manifest.pathWhitelist?.length && !this.staged.has(key) && !this.trees.isRendered(key);
      staging = rootfs !== undefined && usable;
      if (staging) this.staged.set(key, { work, treeHash: imported.treeHash });
      return { key, manifest };
    } finally {
      if (!staging) work.remove();
    }
  }

  /**
   * Runs `fn`, whose imports are rendered into the tree store next (a fetch's image, not
   * its dependencies): each such import writes its rootfs in the same pass as the blob,
   * and the render takes that tree instead of reading the blob again.
   */
  async importsForRender<T>(fn: () => Promise<T>): Promise<T> {
    const outer = this.rendersImports;
    this.rendersImports = true;
    try {
      return await fn();
    } finally {
      this.rendersImports = outer;
    }
  }

  /**
   * Moves the rootfs rendered while `key` was imported to `dest` (which must not exist) and
   * returns its tree hash when the import computed one (native.ImportedAci.treeHash);
   * undefined when there is no such rootfs. For the tree store, which holds the tree's
   * exclusive lock.
   */
  takeStagedRootfs(key: string, dest: string): { treeHash?: string } | undefined {
    const staged = this.staged.get(key);
    if (!staged) return undefined;
    this.staged.delete(key);
    try {
      renameSync(join(staged.work.path, "rootfs"), dest);
    } finally {
      staged.work.remove();
    }
    return { treeHash: staged.treeHash };
  }

  /**
   * Runs `fn` (a fetch: imports, dependencies, render) as one unit: when it fails, the
   * images it brought into the store are removed again (rows, blob, manifest, tree), so a
   * refused image is never left for a later lookup by name. Images stored before are kept.
   * When the process is killed instead, the next Store.open undoes it (undoKilledUnit).
   */
  async asOneUnit<T>(fn: () => Promise<T>): Promise<T> {
    if (this.unit) return fn();
    const unit: NonNullable<Store["unit"]> = { imported: new Set<string>() };
    this.unit = unit;
    try {
      return await fn();
    } catch (err) {
      for (const key of unit.imported) this.discardImage(key);
      throw err;
    } finally {
      this.unit = undefined;
      unit.journal?.remove();
    }
  }

  /**
   * Journaled before the image's row exists, so that a kill -9 of the unit can be undone;
   * the journal's work directory is made at the first import (a cached image costs nothing).
   */
  private recordUnitImport(key: string): void {
    if (!this.unit) return;
    this.unit.journal ??= WorkDir.create(this.layout.tmp);
    this.unit.journal.appendLine(UNIT_JOURNAL, key);
    this.unit.imported.add(key);
  }

  /**
   * The work directory of a killed `asOneUnit` run: the images it imported that never got
   * a rendered tree are removed (a rendered one was complete, and may be in use).
   */
  private undoKilledUnit(dir: string): void {
    const journal = join(dir, UNIT_JOURNAL);
    if (!existsSync(journal)) return;
    for (const key of readFileSync(journal, "utf8").split("\n")) {
      if (isStoreKey(key) && this.hasImage(key) && !this.trees.isRendered(key)) this.discardImage(key);
    }
  }

  /** Removes an image as part of an undo: what cannot be removed now is left as stale files. */
  private discardImage(key: string): void {
    try {
      this.removeImageNow(key);
    } catch {
      // Removed meanwhile by someone else.
    }
  }

  private placeBlob(tempPath: string, key: string): void {
    const blob = this.layout.blob(key);
    // Same key, same bytes: a blob already in place (always complete, it got there by rename) stays.
    if (existsSync(blob)) return;
    mkdirDurably(dirname(blob));
    // The mark is on disk before the blob has its name: a blob that a crash may have cut
    // short is never trusted unproven.
    const mark = this.layout.unsyncedBlobMark(key);
    mkdirDurably(dirname(mark));
    writeFileDurably(`${mark}.tmp`, mark, unsyncedMark());
    fsyncDir(dirname(mark));
    // Blobs are group-readable so members of the rkt group can read the store (rkt install).
    chmodSync(tempPath, 0o660);
    renameSync(tempPath, blob);
    fsyncDir(dirname(blob));
  }

  private placeManifest(tempPath: string, key: string, manifest: ImageManifest): void {
    const path = this.layout.manifest(key);
    mkdirDurably(dirname(path));
    writeFileDurably(tempPath, path, serializeImageManifest(manifest));
    fsyncDir(dirname(path));
  }

  /** Runs `fn` holding the image's lock: shared to read its blob or manifest, exclusive to change them. */
  withImageLock<T>(key: string, mode: LockMode, fn: () => T): T {
    const lock = lockKeyFile(this.layout.imageLock(key), mode)!;
    try {
      return fn();
    } finally {
      lock.close();
    }
  }

  /**
   * The image file as it was received (gzip, bzip2, xz or plain tar: native readers tell by
   * magic); read it inside withImageLock(key, "shared", ...). A blob written without a sync
   * in an earlier boot is proven first: one that no longer hashes to its key is refused.
   */
  blobPath(key: string): string {
    const blob = this.layout.blob(key);
    const markPath = this.layout.unsyncedBlobMark(key);
    let mark: string;
    try {
      mark = readFileSync(markPath, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return blob;
      throw err;
    }
    if (!needsProof(mark)) return blob;
    if (!this.blobHashesToKey(key)) {
      throw new Error(`image ${key} did not reach the disk whole before the machine went down: remove it with 'rkt image rm ${key}' and fetch it again`);
    }
    try {
      rmSync(markPath, { force: true });
      fsyncDir(dirname(markPath));
    } catch (err) {
      // A member of the rkt group may read the store but not change it: proven for this
      // use, the mark stays for a later reader that may remove it.
      if (!["EACCES", "EPERM", "EROFS"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
    }
    return blob;
  }

  /** Whether the blob, decompressed, hashes to its key; false when it is no image file any more. */
  private blobHashesToKey(key: string): boolean {
    try {
      return normalizeImageKey(imageIdFromDigest(native.readBlob(this.layout.blob(key)))) === key;
    } catch (err) {
      if (err instanceof SysError) throw err;
      return false; // truncated, corrupt data
    }
  }

  /** The full store key for a `sha512-` prefix of at least two hex digits. */
  resolveKey(prefix: string): string {
    const rendered = renderedImageKey(this.layout, prefix);
    if (rendered !== undefined) return rendered;
    const keys = this.index.keysWithPrefix(normalizeImageKey(prefix));
    if (keys.length === 0) throw new Error(`no keys found for "${prefix}" (see 'rkt image list')`);
    if (keys.length > 1) throw new Error(`ambiguous key: "${prefix}" matches ${keys.length} images: give more of the ID (see 'rkt image list')`);
    return keys[0]!;
  }

  readManifest(key: string): ImageManifest {
    const path = this.layout.manifest(key);
    const text = this.withImageLock(key, "shared", () => {
      if (!this.hasImage(key)) throw new Error(`cannot find image with key: ${key}`);
      return readFileSync(path, "utf8");
    });
    return parseImageManifest(text, path);
  }

  /** Keys of trees in the tree store whose image is gone (left by a removal that was killed or failed). */
  orphanTreeKeys(): string[] {
    // By the index alone: such a tree may still hold a marker, left by a removal of an older rkt.
    return readdirSync(this.layout.trees).filter((name) => isStoreKey(name) && this.index.aciInfo(name) === undefined);
  }

  /** Records in the index that the images were used now (fetched), so `rkt image gc` keeps them for its grace period. */
  markImagesUsed(keys: readonly string[]): void {
    this.index.markUsed(keys, new Date());
  }

  /**
   * Records that a pod chose the images at `time`, as the mtime of their pod-use stamps:
   * one metadata write each and no index transaction, so that a start from stored images
   * commits nothing to the index (no WAL append, no checkpoint and its fsyncs at close).
   * Not synced, as the index's use times are not: a time lost to a power cut only lets
   * `rkt image gc` count the grace period from an earlier use.
   */
  markImagesChosenByPod(keys: readonly string[], time = new Date()): void {
    for (const key of keys) {
      const stamp = this.layout.podUseStamp(key);
      try {
        utimesSync(stamp, time, time);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        mkdirSync(dirname(stamp), { recursive: true, mode: 0o777 });
        writeFileSync(stamp, "");
        utimesSync(stamp, time, time);
      }
    }
  }

  /** When the image was last imported, fetched or chosen by a pod. */
  lastUsed(info: AciInfo): Date {
    try {
      const chosen = statSync(this.layout.podUseStamp(info.key)).mtime;
      return chosen > info.lastUsed ? chosen : info.lastUsed;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      return info.lastUsed;
    }
  }

  /** Whether the image is stored: its rendered tree tells so (rendered-lookup.ts), or the index has its row. */
  hasImage(key: string): boolean {
    return renderedImageKey(this.layout, key) === key || this.index.aciInfo(key) !== undefined;
  }

  /** The remote-cache row for a fetched URL (or `docker://` string), if its image is still stored. */
  cachedRemote(url: string): RemoteInfo | undefined {
    const entry = this.index.remote(url);
    return entry && this.hasImage(entry.key) ? entry : undefined;
  }

  /**
   * rkt's GetACI: images named `name` that carry every label of `labels`; without a
   * `version` label the ones imported as latest come first, then the newest import.
   */
  findImageByName(name: string, labels: readonly Label[]): string {
    const key = findByNameAndLabels(this, name, labels);
    if (!key) throw new Error(`cannot find aci satisfying name: "${name}"${formatLabels(labels)} in the local store (see 'rkt image list')`);
    return key;
  }

  /** A dependency's image: by its image ID if given, else by name and labels (no defaults). */
  resolveDependency(dep: Dependency): string {
    if (!dep.imageID) return this.findImageByName(dep.imageName, dep.labels ?? []);
    try {
      return this.resolveKey(dep.imageID);
    } catch {
      throw new Error(`dependency ${dep.imageName} with image ID ${dep.imageID} is not in the local store`);
    }
  }

  /**
   * An IMAGE argument of the `image` commands: a key prefix, or NAME[:VERSION][,LABEL=VALUE...]
   * matched in the store without os/arch defaults.
   */
  resolveImageReference(ref: string): string {
    if (isImageId(ref)) return this.resolveKey(ref);
    const { name, labels } = parseImageString(ref);
    try {
      return this.findImageByName(name, labels);
    } catch (err) {
      throw new Error(`cannot find image: ${(err as Error).message}`);
    }
  }

  listImages(): StoredImage[] {
    return this.index.allAciInfos().flatMap((info) => {
      const manifest = this.manifestIfPresent(info);
      if (!manifest) return [];
      const version = labelValue(manifest.labels, "version");
      return [{ key: info.key, name: info.appName, version, importTime: info.importTime, latest: info.latest }];
    });
  }

  /** The manifest of a listed image, or undefined if it was removed since the index was read. */
  private manifestIfPresent(info: AciInfo): ImageManifest | undefined {
    try {
      return this.readManifest(info.key);
    } catch (err) {
      if (err instanceof ManifestError) throw err;
      return undefined;
    }
  }

  /** Renders the image with its dependencies into the tree store; returns `cas/tree/<key>`. */
  renderTree(key: string): Promise<string> {
    return this.trees.render(key);
  }

  /**
   * Re-reads an image: its blob, decompressed, must hash to its key; its tree, if rendered,
   * must match the hash recorded at render time.
   */
  async verifyImage(key: string): Promise<{ blobIntact: boolean; tree: "intact" | "damaged" | "not rendered" }> {
    const blobIntact = this.withImageLock(key, "shared", () => this.blobHashesToKey(key));
    if (!this.trees.isRendered(key)) return { blobIntact, tree: "not rendered" };
    return { blobIntact, tree: this.trees.verify(key) ? "intact" : "damaged" };
  }

  /**
   * Removes an image (rkt-internals §2.5): its tree's marker, its index rows, then blob and
   * manifest copy, then its tree. Returns the files that could not be removed (stale, harmless).
   */
  async removeImage(key: string): Promise<string[]> {
    return this.removeImageNow(key);
  }

  private removeImageNow(key: string): string[] {
    const stale: string[] = [];
    const removeFile = (path: string) => {
      try {
        rmSync(path, { force: true });
      } catch {
        stale.push(path);
      }
    };
    // The marker goes before the row, as it tells that the image is stored (rendered-lookup.ts);
    // the tree lock first, as a render takes it before image locks.
    this.trees.withTreeLock(key, "exclusive", () => {
      this.trees.unmark(key);
      this.withImageLock(key, "exclusive", () => {
        if (!this.index.removeImageRows(key)) throw new Error(`cannot find image with key: ${key}`);
        removeFile(this.layout.blob(key));
        rmSync(this.layout.unsyncedBlobMark(key), { force: true });
        removeFile(this.layout.manifest(key));
        rmSync(this.layout.podUseStamp(key), { force: true });
        rmSync(this.layout.imageLock(key), { force: true });
      });
    });
    try {
      this.trees.remove(key);
    } catch {
      stale.push(this.layout.tree(key));
    }
    return stale;
  }
}

/** Opens the store under `dataDir` for the duration of `fn`. */
export async function withStore<T>(dataDir: string, fn: (store: Store) => T | Promise<T>): Promise<T> {
  const store = Store.open(dataDir);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
