// Malformed archives fail extraction with a clear message, never silently; odd but valid ones extract.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { lstatSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { native } from "../../../src/sys";
import { sandbox, type Sandbox } from "./fixtures";
import { tarArchive, tarEntry } from "./tar-builder";

let box: Sandbox;
beforeEach(() => (box = sandbox()));
afterEach(() => box.cleanup());

function extractBytes(bytes: Buffer): () => void {
  const path = join(box.dir, "bad.tar");
  writeFileSync(path, bytes);
  return () => native.extractRootfs(path, box.root);
}

const good = tarArchive([{ name: "rootfs", type: "5" }, { name: "rootfs/file", data: "x".repeat(3000) }]);

test("a tar cut inside a file's data is a truncated archive", () => {
  expect(extractBytes(good.subarray(0, 512 * 3))).toThrow(/truncated archive/);
});

test("a tar cut inside a header is a truncated archive", () => {
  expect(extractBytes(good.subarray(0, 512 + 100))).toThrow(/truncated archive/);
});

test("a big file whose data runs past the end is a truncated archive", () => {
  const big = tarEntry({ name: "rootfs/big", data: Buffer.alloc(2 << 20, 1) });
  expect(extractBytes(big.subarray(0, 1 << 20))).toThrow(/truncated archive/);
});

test("a header with a wrong checksum is refused", () => {
  const bad = Buffer.from(good);
  bad[512 + 10] = 0x41;
  expect(extractBytes(bad)).toThrow(/corrupt tar header \(bad checksum\)/);
});

test("a size field that is not a number is refused", () => {
  const entry = tarEntry({ name: "rootfs/x", data: "abc" });
  entry.write("9z9\0", 124);
  entry.fill(" ", 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += entry[i]!;
  entry.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  expect(extractBytes(Buffer.concat([entry, Buffer.alloc(1024)]))).toThrow(/corrupt tar header \(bad size\)/);
});

test("an unsupported entry type is refused", () => {
  const archive = tarArchive([{ name: "rootfs", type: "5" }, { name: "rootfs/sparse", type: "S", data: "x" }]);
  expect(extractBytes(archive)).toThrow(/unsupported tar entry type 'S'/);
});

test("a hardlink to a file not yet extracted fails", () => {
  const archive = tarArchive([{ name: "rootfs", type: "5" }, { name: "rootfs/h", type: "1", linkname: "rootfs/absent" }]);
  expect(extractBytes(archive)).toThrow(/No such file or directory/);
});

test("a directory replaced by a later file entry is not an error", () => {
  const archive = tarArchive([{ name: "rootfs", type: "5" }, { name: "rootfs/d", type: "5" }, { name: "rootfs/d", data: "now a file" }]);
  extractBytes(archive)();
  expect(readFileSync(join(box.root, "d"), "utf8")).toBe("now a file");
});

test("a PAX size past the largest file offset is refused, not wrapped around", () => {
  const entry = tarEntry({ name: "rootfs/huge", data: "abc", pax: { size: "18446744073709551000" } });
  expect(extractBytes(Buffer.concat([entry, Buffer.alloc(1024)]))).toThrow(/corrupt tar header \(bad size\)/);
});

test("a nested directory replaced by a later file, symlink or node keeps its parent usable", () => {
  const archive = tarArchive([
    { name: "rootfs", type: "5" },
    { name: "rootfs/a/b/d", type: "5" },
    { name: "rootfs/a/b/e", type: "5" },
    { name: "rootfs/a/b/f", type: "5" },
    { name: "rootfs/a/b/d", data: "now a file" },
    { name: "rootfs/a/b/e", type: "2", linkname: "d" },
    { name: "rootfs/a/b/f", type: "6" },
    { name: "rootfs/a/b/after", data: "still here" },
  ]);
  extractBytes(archive)();
  expect(readFileSync(join(box.root, "a/b/d"), "utf8")).toBe("now a file");
  expect(readlinkSync(join(box.root, "a/b/e"))).toBe("d");
  expect(lstatSync(join(box.root, "a/b/f")).isFIFO()).toBe(true);
  expect(readFileSync(join(box.root, "a/b/after"), "utf8")).toBe("still here");
});

test("PAX headers that together exceed the extension limit are refused, not accumulated", () => {
  const xattrs = (prefix: string) => {
    const records: Record<string, string> = {};
    for (let i = 0; i < 9; i++) records[`SCHILY.xattr.user.${prefix}${i}`] = "v".repeat(1 << 20);
    return records;
  };
  // Two 'x' headers of 9 MiB each before one entry: each under the limit, together over it.
  const first = tarEntry({ name: "rootfs/x", pax: xattrs("a") });
  const second = tarEntry({ name: "rootfs/x", data: "x", pax: xattrs("b") });
  const firstPaxOnly = first.subarray(0, first.length - 512);
  expect(extractBytes(Buffer.concat([firstPaxOnly, second, Buffer.alloc(1024)]))).toThrow(
    /extended headers of more than 16777216 bytes for one entry/,
  );
});

test("a PAX mtime beyond the range of a time is refused", () => {
  for (const mtime of ["-9223372036854775808.5", "9223372036854775808"]) {
    const entry = tarEntry({ name: "rootfs/old", data: "x", pax: { mtime } });
    expect(extractBytes(Buffer.concat([entry, Buffer.alloc(1024)]))).toThrow(/corrupt PAX header \(bad mtime\)/);
  }
});

test("a PAX mtime with a non-digit past the nanoseconds is refused", () => {
  const entry = tarEntry({ name: "rootfs/odd", data: "x", pax: { mtime: "1500000000.1234567891x" } });
  expect(extractBytes(Buffer.concat([entry, Buffer.alloc(1024)]))).toThrow(/corrupt PAX header \(bad mtime\)/);
});
