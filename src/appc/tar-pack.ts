// Packs files of a directory tree as tar entries: mode, numeric uid/gid, mtime, xattrs,
// symlinks, hardlinks (second and later names of an inode), FIFOs and device nodes. File system
// calls are synchronous on purpose: per-file async streams cost ~20x more on big trees.
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from "node:fs";
import { join } from "node:path";
import type { BigIntStats } from "node:fs";
import { libc } from "../sys";
import { tarEntry } from "./tar-writer";
import type { TarEntryType, TarHeader } from "./tar-header";

const S_IFMT = 0o170000n;
const READ_CHUNK = 1 << 20;
const fileTypes: Record<string, TarEntryType> = {
  [String(0o100000)]: "file",
  [String(0o040000)]: "directory",
  [String(0o120000)]: "symlink",
  [String(0o010000)]: "fifo",
  [String(0o020000)]: "chardev",
  [String(0o060000)]: "blockdev",
};

/** Linux's dev_t encoding (major in bits 8-19 and 32-43, minor in 0-7 and 20-31). */
function deviceNumbers(rdev: bigint): { devmajor: number; devminor: number } {
  return {
    devmajor: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
    devminor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
  };
}

/** Remembers the first archive name of every multiply-linked inode. */
export class HardlinkTracker {
  private readonly seen = new Map<string, string>();

  /** The earlier name of this inode, or undefined (and it is remembered under `name`). */
  earlierName(st: BigIntStats, name: string): string | undefined {
    if (st.nlink < 2n) return undefined;
    const key = `${st.dev}:${st.ino}`;
    const earlier = this.seen.get(key);
    if (earlier === undefined) this.seen.set(key, name);
    return earlier;
  }
}

/** The tar header for a file given its lstat; throws for sockets, which tar cannot hold. */
function headerFor(path: string, name: string, st: BigIntStats, links: HardlinkTracker): TarHeader {
  const type = fileTypes[String(st.mode & S_IFMT)];
  if (!type) throw new Error(`cannot archive "${path}": sockets and unknown file types are not supported in images`);
  const header: TarHeader = {
    name,
    type,
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: type === "file" ? Number(st.size) : 0,
    mtime: Number(st.mtimeMs / 1000n),
  };
  if (type === "symlink") header.linkname = readlinkSync(path);
  if (type === "chardev" || type === "blockdev") Object.assign(header, deviceNumbers(st.rdev));
  const earlier = type === "directory" ? undefined : links.earlierName(st, name);
  // A later name of an inode is only a reference: its xattrs travel with the first name.
  if (earlier !== undefined) return Object.assign(header, { type: "hardlink", linkname: earlier, size: 0 });
  const xattrs = libc.readXattrs(path);
  if (Object.keys(xattrs).length) header.xattrs = xattrs;
  return header;
}

/** The first `size` bytes of a file; a file that shrank ends early (tarEntry reports it). */
function* fileChunks(path: string, size: number): Generator<Uint8Array> {
  const fd = openSync(path, "r");
  try {
    for (let left = size; left > 0; ) {
      const buffer = Buffer.allocUnsafe(Math.min(left, READ_CHUNK));
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) return;
      left -= n;
      yield buffer.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** `path` stored under `archiveName`, and when it is a directory everything below it, in name order. */
export async function* packTree(path: string, archiveName: string, links = new HardlinkTracker()): AsyncGenerator<Uint8Array> {
  const st = lstatSync(path, { bigint: true });
  const header = headerFor(path, archiveName, st, links);
  yield* tarEntry(header, header.type === "file" ? fileChunks(path, header.size) : undefined);
  if (!st.isDirectory()) return;
  for (const child of readdirSync(path).sort()) yield* packTree(join(path, child), `${archiveName}/${child}`, links);
}
