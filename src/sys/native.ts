// Bindings of the native helper library (native/*.c): image import, safe extraction,
// tree hashing, copying and removal, and the network namespace and netlink questions of
// private networking (`rkt list`'s small library is src/sys/list-library.ts). The library
// is embedded in the executable as a file asset; on first use its bytes go into a memfd,
// which is dlopen'ed, so it works from the single `bun build --compile` binary as well as
// from the source tree.
import { FFIType, toArrayBuffer, type Library, type Pointer } from "bun:ffi";
import { readFileSync } from "node:fs";
import libPath from "../../dist/build/librktnative.so" with { type: "file" };
import { cString } from "./libc";
import { call, openEmbedded, readCString } from "./native-call";

const { i32, i64, ptr, void: none } = FFIType;

const symbols = {
  rkt_free: { args: [ptr], returns: none },
  rkt_import_aci: { args: [ptr, ptr, ptr, i32, ptr, ptr, ptr, ptr, ptr], returns: i32 },
  rkt_docker_import_start: { args: [ptr, i32, ptr, i64, ptr, ptr, ptr, ptr], returns: ptr },
  rkt_docker_import_grew: { args: [ptr], returns: i32 },
  rkt_docker_import_source_end: { args: [ptr, i32], returns: none },
  rkt_docker_import_finish: { args: [ptr, ptr, ptr, ptr, ptr], returns: i32 },
  rkt_read_blob: { args: [ptr, ptr, ptr, ptr], returns: i32 },
  rkt_extract: { args: [ptr, ptr, i32, i64, ptr, i32, ptr], returns: i32 },
  rkt_tree_hash: { args: [ptr, i32, ptr, ptr], returns: i32 },
  rkt_copy_tree: { args: [ptr, ptr, i32, i64, ptr], returns: i32 },
  rkt_copy_tree_hashed: { args: [ptr, ptr, i32, ptr, ptr], returns: i32 },
  rkt_remove_tree: { args: [ptr, ptr], returns: i32 },
  rkt_netns_create: { args: [ptr, ptr], returns: i32 },
  rkt_route_device: { args: [ptr, ptr, ptr], returns: i32 },
  rkt_link_kind: { args: [ptr, ptr, ptr], returns: i32 },
} as const;

type NativeSymbols = Library<typeof symbols>["symbols"];

let loaded: NativeSymbols | undefined;

function lib(): NativeSymbols {
  return (loaded ??= openEmbedded(readFileSync(libPath), "librktnative.so", symbols));
}

const IMPORT_TAKE_SOURCE = 1;

export interface ImportedAci {
  /** The source file as it is (still compressed), fsynced: a new temp file in tmpDir (mode 0600), or the source itself with takeSource. */
  blobPath: string;
  /** SHA-512 of the uncompressed tar: 128 lowercase hex digits. */
  sha512: string;
  /** The bytes of the top-level `manifest` entry, or null when the archive has none. */
  manifest: Uint8Array | null;
  /** Given a render directory: the version 2 treeHash of the rendered tree, computed as it was written; undefined where only a walk can tell (not root). */
  treeHash?: string;
}

/** Tree hash versions (native/tree_digest.h): 1 is read from old stores, 2 is written. */
export type TreeHashVersion = 1 | 2;

const TREE_HASH_MAX = 140;

function readTreeHash(out: Buffer): string | undefined {
  const hash = readCString(out, 0, TREE_HASH_MAX);
  return hash === "" ? undefined : hash;
}

/**
 * Copies an ACI (gzip, bzip2, xz or plain tar, told by magic bytes) into a temp file in
 * tmpDir as it is, and reads that copy once: hashes the uncompressed tar, checks its layout
 * (`manifest`, `rootfs`, `rootfs/...` only), picks out its manifest and, given renderDir,
 * extracts the rootfs there in the same pass (as extractRootfs with skipExisting and
 * keepReserve). Stops before tmpDir's filesystem drops under its free-space reserve
 * (native/disk_reserve.h). With takeSource the source, a scratch file no one else writes,
 * is itself the blob-to-be instead of being copied.
 */
export function importAci(sourcePath: string, tmpDir: string, opts: { renderDir?: string; takeSource?: boolean } = {}): ImportedAci {
  const blobPath = Buffer.alloc(4096);
  const digest = Buffer.alloc(129);
  const blob = Buffer.alloc(16);
  const source = cString(sourcePath);
  const dir = cString(tmpDir);
  const render = opts.renderDir === undefined ? null : cString(opts.renderDir);
  const flags = opts.takeSource ? IMPORT_TAKE_SOURCE : 0;
  const treeHash = Buffer.alloc(TREE_HASH_MAX);
  call((err) => lib().rkt_import_aci(source, dir, render, flags, blobPath, digest, blob, treeHash, err));
  const length = Number(blob.readBigInt64LE(8));
  let manifest: Uint8Array | null = null;
  if (length >= 0) {
    const data = Number(blob.readBigUInt64LE(0)) as Pointer;
    manifest = length === 0 ? new Uint8Array(0) : new Uint8Array(toArrayBuffer(data, 0, length).slice(0));
    lib().rkt_free(data);
  }
  return { blobPath: readCString(blobPath, 0, 4096), sha512: readCString(digest, 0, 128), manifest, treeHash: readTreeHash(treeHash) };
}

/** The import of a Docker image's layers, running on a thread of its own while the bottom layer may still arrive. */
export interface DockerLayersImport {
  /** The bottom layer's file grew; false once the import has stopped on an error (`finish` throws it). */
  grew(): boolean;
  /** The bottom layer's file is whole and its digest checked (true), or never will be (false). */
  sourceEnd(whole: boolean): void;
  /** Waits for the import and gives its result, or throws its error; after `sourceEnd`. */
  finish(): ImportedAci;
}

/**
 * Starts squashing a Docker image's layer files (bottom first; gzip, bzip2, xz or plain
 * tar) into an ACI with `manifestJson` as its manifest, in one pass (native/docker_squash.h)
 * on a thread of its own: the ACI tar is written as a new temp file in tmpDir (the blob, a
 * plain tar), hashed, and given renderDir its rootfs is extracted there as importAci does.
 * `image` names the image in messages; `mtime` (seconds) dates the `manifest` and `rootfs`
 * entries. Every layer file must exist; all but the bottom one must be whole: that one is
 * read as it grows, until `sourceEnd`.
 */
export function startDockerLayersImport(layerFiles: string[], manifestJson: string, mtime: number, image: string, tmpDir: string, renderDir?: string): DockerLayersImport {
  const layers = Buffer.from(layerFiles.map((path) => `${path}\0`).join(""));
  const render = renderDir === undefined ? null : cString(renderDir);
  let job: Pointer | null = null;
  call((err) => {
    job = lib().rkt_docker_import_start(layers, layerFiles.length, cString(manifestJson), mtime, cString(image), cString(tmpDir), render, err) as Pointer | null;
    return job === null ? -1 : 0;
  });
  const running = job as unknown as Pointer;
  return {
    grew: () => lib().rkt_docker_import_grew(running) !== 0,
    sourceEnd: (whole) => lib().rkt_docker_import_source_end(running, whole ? 1 : 0),
    finish() {
      const blobPath = Buffer.alloc(4096);
      const digest = Buffer.alloc(129);
      const treeHash = Buffer.alloc(TREE_HASH_MAX);
      call((err) => lib().rkt_docker_import_finish(running, blobPath, digest, treeHash, err));
      return {
        blobPath: readCString(blobPath, 0, 4096),
        sha512: readCString(digest, 0, 128),
        manifest: new TextEncoder().encode(manifestJson),
        treeHash: readTreeHash(treeHash),
      };
    },
  };
}

/**
 * Reads a stored blob (any format) once: returns the SHA-512 of its uncompressed tar and,
 * given tarOut, writes that tar to this new file (0666 minus umask, fsynced).
 */
export function readBlob(blobPath: string, tarOut?: string): string {
  const digest = Buffer.alloc(129);
  const blob = cString(blobPath);
  const out = tarOut === undefined ? null : cString(tarOut);
  call((err) => lib().rkt_read_blob(blob, out, digest, err));
  return readCString(digest, 0, 128);
}

export interface ExtractOptions {
  /** "First writer wins": keep what is already in destDir, skip entries below a non-directory. */
  skipExisting?: boolean;
  /** Absolute paths inside the rootfs; non-directory entries not listed are skipped. Empty = no filter. */
  whitelist?: string[];
  /** Apply the whitelist to directories too (dependencies of an image with a whitelist). */
  whitelistAppliesToDirs?: boolean;
  /** Added to every uid and gid (which must then be below 65536), for --private-users. */
  uidShift?: number;
  /** Take only `rootfs` and `rootfs/...`, without the prefix (default). False: everything. */
  stripRootfs?: boolean;
  /** Stop with an error before the destination's filesystem drops under its free-space reserve. */
  keepReserve?: boolean;
}

const EXTRACT_SKIP_EXISTING = 1;
const EXTRACT_STRIP_ROOTFS = 2;
const EXTRACT_WHITELIST = 4;
const EXTRACT_WHITELIST_DIRS = 8;
const EXTRACT_UID_SHIFT = 16;
const EXTRACT_KEEP_RESERVE = 32;

/** Extracts an image tar (plain or compressed) beneath destDir; no entry can reach outside it. */
export function extractRootfs(tarPath: string, destDir: string, opts: ExtractOptions = {}): void {
  let flags = 0;
  if (opts.skipExisting) flags |= EXTRACT_SKIP_EXISTING;
  if (opts.stripRootfs ?? true) flags |= EXTRACT_STRIP_ROOTFS;
  const whitelist = opts.whitelist ?? [];
  if (whitelist.length > 0) flags |= EXTRACT_WHITELIST;
  if (opts.whitelistAppliesToDirs) flags |= EXTRACT_WHITELIST_DIRS;
  if (opts.uidShift !== undefined) flags |= EXTRACT_UID_SHIFT;
  if (opts.keepReserve) flags |= EXTRACT_KEEP_RESERVE;
  const list = whitelist.length > 0 ? Buffer.from(whitelist.map((p) => p + "\0").join("")) : null;
  const tar = cString(tarPath);
  const dest = cString(destDir);
  call((err) => lib().rkt_extract(tar, dest, flags, opts.uidShift ?? 0, list, whitelist.length, err));
}

/**
 * A digest of everything below dir except mtimes (and sockets), by a walk: version 1
 * `sha512-` + 128 hex, version 2 (the default) `v2:sha512-` + 128 hex (native/tree_digest.h).
 */
export function treeHash(dir: string, version: TreeHashVersion = 2): string {
  const out = Buffer.alloc(TREE_HASH_MAX);
  const path = cString(dir);
  call((err) => lib().rkt_tree_hash(path, version, out, err));
  return readCString(out, 0, TREE_HASH_MAX);
}

/** Copies a tree with owners (shifted when asked), modes, times, xattrs and hardlinks. */
export function copyTree(src: string, dest: string, opts: { uidShift?: number } = {}): void {
  const from = cString(src);
  const to = cString(dest);
  const flags = opts.uidShift !== undefined ? 1 : 0;
  call((err) => lib().rkt_copy_tree(from, to, flags, opts.uidShift ?? 0, err));
}

/** Copies a tree as copyTree does while hashing the source (treeHash) on a second thread; returns that hash. */
export function copyTreeHashed(src: string, dest: string, version: TreeHashVersion = 2): string {
  const out = Buffer.alloc(TREE_HASH_MAX);
  const from = cString(src);
  const to = cString(dest);
  call((err) => lib().rkt_copy_tree_hashed(from, to, version, out, err));
  return readCString(out, 0, TREE_HASH_MAX);
}

/**
 * Removes path recursively without following symlinks; refuses (EBUSY) to cross into a
 * mount below it. A missing path is not an error.
 */
export function removeTree(path: string): void {
  const p = cString(path);
  call((err) => lib().rkt_remove_tree(p, err));
}

/** Makes a network namespace with `lo` up, bind-mounted at `path` (an existing file). */
export function createNetworkNamespace(path: string): void {
  const p = cString(path);
  call((err) => lib().rkt_netns_create(p, err));
}

/** The interface this namespace's route to an IPv4 address leaves by. */
export function routeDevice(ipv4: string): string {
  const out = Buffer.alloc(16);
  const address = cString(ipv4);
  call((err) => lib().rkt_route_device(address, out, err));
  return readCString(out, 0, 16);
}

/** The kind of a link (`veth`, `bridge`, ...); "" for a link without one (e.g. lo). */
export function linkKind(ifname: string): string {
  const out = Buffer.alloc(32);
  const name = cString(ifname);
  call((err) => lib().rkt_link_kind(name, out, err));
  return readCString(out, 0, 32);
}
