// One tar entry's metadata and its ustar header block, with PAX extended records for what
// ustar cannot hold (long names, big numbers, fractional mtimes, xattrs).

export const BLOCK = 512;

export type TarEntryType = "file" | "hardlink" | "symlink" | "chardev" | "blockdev" | "directory" | "fifo";

export interface TarHeader {
  /** Path inside the archive, without a trailing slash for directories. */
  name: string;
  type: TarEntryType;
  /** Permission and special bits (07777). */
  mode: number;
  uid: number;
  gid: number;
  /** Content length; 0 for everything but regular files. */
  size: number;
  /** Seconds since the epoch; may carry a fraction (PAX). */
  mtime: number;
  /** Target of a symlink or hardlink. */
  linkname?: string;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
  /** Extended attributes (PAX `SCHILY.xattr.<name>`), values as raw bytes. */
  xattrs?: Record<string, Uint8Array>;
  /** Other PAX records, kept so that copying an entry loses nothing. */
  pax?: Record<string, string>;
}

export const typeFlags: Record<TarEntryType, string> = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  chardev: "3",
  blockdev: "4",
  directory: "5",
  fifo: "6",
};

export function entryTypeOf(flag: string): TarEntryType | undefined {
  if (flag === "\0" || flag === "7") return "file";
  return (Object.keys(typeFlags) as TarEntryType[]).find((t) => typeFlags[t] === flag);
}

/** Field offsets and lengths of the ustar header. */
export const field = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

/** The checksum: the sum of all header bytes, with the checksum field counted as spaces. */
export function headerChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum;
}

/** Bytes of padding after `size` bytes of content. */
export function paddingFor(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}
