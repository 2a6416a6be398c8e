import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createReadStream, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, linkSync, writeFileSync, chmodSync, lchownSync, utimesSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import { packTree, readTar, tarEnd, tarEntry, type TarHeader } from "../../../src/appc";
import { tempDir } from "../../support/harness";

const scratch = tempDir("appc-tar-");
afterAll(scratch.cleanup);

const longDir = "d".repeat(120);
const longFile = "f".repeat(180);

async function writeTar(file: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  await pipeline(Readable.from(chunks), createWriteStream(file));
}

async function headersOf(file: string): Promise<TarHeader[]> {
  const headers: TarHeader[] = [];
  for await (const entry of readTar(createReadStream(file))) headers.push(entry.header);
  return headers;
}

function systemTar(args: string[]): string {
  const proc = Bun.spawnSync(["tar", ...args]);
  if (proc.exitCode !== 0) throw new Error(`tar ${args.join(" ")}: ${proc.stderr.toString()}`);
  return proc.stdout.toString();
}

/** A tree with every kind of entry the writer must keep. */
function makeTree(root: string): void {
  mkdirSync(join(root, "bin"), { recursive: true });
  writeFileSync(join(root, "bin/tool"), "#!/bin/sh\necho tool\n");
  chmodSync(join(root, "bin/tool"), 0o4755);
  linkSync(join(root, "bin/tool"), join(root, "bin/tool-alias"));
  symlinkSync("tool", join(root, "bin/link"));
  lchownSync(join(root, "bin/link"), 1234, 5678);
  mkdirSync(join(root, longDir));
  writeFileSync(join(root, longDir, longFile), "x".repeat(1000));
  chmodSync(join(root, longDir, longFile), 0o600);
  Bun.spawnSync(["mkfifo", join(root, "pipe")]);
  Bun.spawnSync(["mknod", join(root, "null"), "c", "1", "3"]);
  writeFileSync(join(root, "big-ids"), "ids");
  lchownSync(join(root, "big-ids"), 3_000_000, 4_000_000);
  utimesSync(join(root, "big-ids"), 1_000_000_000, 1_000_000_000);
}

describe("tar writer", () => {
  const tree = join(scratch.path, "tree");
  const archive = join(scratch.path, "tree.tar");

  beforeAll(async () => {
    makeTree(tree);
    async function* all() {
      yield* packTree(tree, "rootfs");
      yield tarEnd();
    }
    await writeTar(archive, all());
  });

  test("system tar lists every entry with its type, owner and link", () => {
    const listing = systemTar(["--numeric-owner", "-tvf", archive]);
    expect(listing).toMatch(/^-rwsr-xr-x 0\/0 +20 .* rootfs\/bin\/tool$/m);
    expect(listing).toMatch(/^hrwsr-xr-x .* rootfs\/bin\/tool-alias link to rootfs\/bin\/tool$/m);
    expect(listing).toMatch(/^lrwxrwxrwx 1234\/5678 .* rootfs\/bin\/link -> tool$/m);
    expect(listing).toMatch(/^prw-r--r-- .* rootfs\/pipe$/m);
    expect(listing).toMatch(/^crw-r--r-- .* 1,3 .* rootfs\/null$/m);
    expect(listing).toContain(`rootfs/${longDir}/${longFile}`);
    expect(listing).toMatch(/^-rw-r--r-- 3000000\/4000000 .* 2001-09-09 .* rootfs\/big-ids$/m);
  });

  test("system tar extracts the same files, modes, owners and times", () => {
    const out = join(scratch.path, "extracted");
    mkdirSync(out);
    systemTar(["--numeric-owner", "-xpf", archive, "-C", out]);
    const got = (p: string) => lstatSync(join(out, "rootfs", p));
    const want = (p: string) => lstatSync(join(tree, p));
    for (const p of ["bin/tool", `${longDir}/${longFile}`, "big-ids", "bin/link", "pipe", "null"]) {
      expect([p, got(p).mode, got(p).uid, got(p).gid]).toEqual([p, want(p).mode, want(p).uid, want(p).gid]);
    }
    expect(got("big-ids").mtimeMs).toBe(1_000_000_000_000);
    expect(got("bin/tool").ino).toBe(got("bin/tool-alias").ino);
    expect(readlinkSync(join(out, "rootfs/bin/link"))).toBe("tool");
    expect(got("null").rdev).toBe(want("null").rdev);
    expect(readFileSync(join(out, "rootfs", longDir, longFile), "utf8")).toBe("x".repeat(1000));
  });

  test("our reader sees what we wrote", async () => {
    const headers = await headersOf(archive);
    const byName = new Map(headers.map((h) => [h.name, h]));
    expect(headers[0]).toMatchObject({ name: "rootfs", type: "directory" });
    expect(byName.get("rootfs/bin/tool")).toMatchObject({ type: "file", mode: 0o4755, size: 20 });
    expect(byName.get("rootfs/bin/tool-alias")).toMatchObject({ type: "hardlink", linkname: "rootfs/bin/tool", size: 0 });
    expect(byName.get("rootfs/bin/link")).toMatchObject({ type: "symlink", linkname: "tool", uid: 1234, gid: 5678 });
    expect(byName.get("rootfs/null")).toMatchObject({ type: "chardev", devmajor: 1, devminor: 3 });
    expect(byName.get("rootfs/pipe")).toMatchObject({ type: "fifo" });
    expect(byName.get("rootfs/big-ids")).toMatchObject({ uid: 3_000_000, gid: 4_000_000, mtime: 1_000_000_000 });
    expect(byName.get(`rootfs/${longDir}/${longFile}`)).toMatchObject({ type: "file", mode: 0o600, size: 1000 });
  });

  test("xattrs go into the archive and system tar restores them", async () => {
    // System tar sets the xattrs from an archive of ours, then we pack what it made.
    const seed = join(scratch.path, "xattr-seed.tar");
    const note = new TextEncoder().encode("hello");
    async function* seedEntries() {
      yield* tarEntry({ name: "x", type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 });
      yield* tarEntry({ name: "x/f", type: "file", mode: 0o644, uid: 0, gid: 0, size: 2, mtime: 0, xattrs: { "user.note": note } }, new TextEncoder().encode("hi"));
      yield tarEnd();
    }
    await writeTar(seed, seedEntries());
    const dir = join(scratch.path, "xattr-dir");
    mkdirSync(dir);
    systemTar(["--xattrs", "--xattrs-include=*", "-xf", seed, "-C", dir]);
    const packed = join(scratch.path, "xattr-packed.tar");
    await writeTar(packed, (async function* () {
      yield* packTree(join(dir, "x"), "rootfs");
      yield tarEnd();
    })());
    const file = (await headersOf(packed)).find((h) => h.name === "rootfs/f");
    expect(file?.xattrs).toEqual({ "user.note": note });
    expect(systemTar(["--xattrs", "-tvvf", packed])).toContain("user.note");
  });

  test("a body of the wrong length is refused", async () => {
    const entry = tarEntry({ name: "f", type: "file", mode: 0o644, uid: 0, gid: 0, size: 5, mtime: 0 }, new Uint8Array(3));
    await expect(Array.fromAsync(entry)).rejects.toThrow('"f" has 3 bytes, expected 5');
  });
});

describe("tar reader", () => {
  test("reads GNU long names, PAX archives and entry contents written by system tar", async () => {
    const src = join(scratch.path, "gnu-src");
    mkdirSync(join(src, longDir), { recursive: true });
    writeFileSync(join(src, longDir, longFile), "long content");
    symlinkSync("x".repeat(150), join(src, "longlink"));
    // ustar holds up to 155 + 100 characters, split at a slash between prefix and name.
    const splitDir = "p".repeat(90);
    const splitFile = "q".repeat(90);
    mkdirSync(join(src, splitDir));
    writeFileSync(join(src, splitDir, splitFile), "split");
    for (const format of ["gnu", "pax", "ustar"]) {
      const file = join(scratch.path, `system-${format}.tar`);
      const members = format === "ustar" ? [splitDir] : [longDir, "longlink", splitDir];
      systemTar([`--format=${format}`, "-cf", file, "-C", src, ...members]);
      const seen: Record<string, string> = {};
      for await (const entry of readTar(createReadStream(file))) {
        seen[entry.header.name] = entry.header.type === "file" ? new TextDecoder().decode(await entry.bytes()) : (entry.header.linkname ?? entry.header.type);
      }
      expect([format, seen[`${splitDir}/${splitFile}`]]).toEqual([format, "split"]);
      if (format === "ustar") continue;
      expect([format, seen[`${longDir}/${longFile}`]]).toEqual([format, "long content"]);
      expect(seen.longlink).toBe("x".repeat(150));
    }
  });

  test("xattrs and other PAX records survive a rewrite", async () => {
    const header: TarHeader = {
      name: "rootfs/f",
      type: "file",
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: 2,
      mtime: 1500000000.5,
      xattrs: { "user.note": new TextEncoder().encode("hello") },
      pax: { "LIBARCHIVE.creationtime": "1" },
    };
    const file = join(scratch.path, "pax.tar");
    async function* all() {
      yield* tarEntry(header, new TextEncoder().encode("hi"));
      yield tarEnd();
    }
    await writeTar(file, all());
    const [read] = await headersOf(file);
    expect(read).toEqual(header);
  });

  test("unread and partly read contents are skipped", async () => {
    const file = join(scratch.path, "skip.tar");
    const src = join(scratch.path, "skip-src");
    mkdirSync(src);
    writeFileSync(join(src, "a"), Buffer.alloc(200_000, 1));
    writeFileSync(join(src, "b"), Buffer.alloc(70_000, 2));
    writeFileSync(join(src, "c"), "third");
    systemTar(["-cf", file, "-C", src, "a", "b", "c"]);
    const names: string[] = [];
    for await (const entry of readTar(createReadStream(file, { highWaterMark: 1000 }))) {
      names.push(entry.header.name);
      if (entry.header.name === "b") for await (const _ of entry.body()) break;
      if (entry.header.name === "c") expect(new TextDecoder().decode(await entry.bytes())).toBe("third");
    }
    expect(names).toEqual(["a", "b", "c"]);
  });

  test("a truncated archive and a corrupt header are errors", async () => {
    const file = join(scratch.path, "trunc.tar");
    const src = join(scratch.path, "trunc-src");
    mkdirSync(src);
    writeFileSync(join(src, "a"), Buffer.alloc(5000, 1));
    systemTar(["-cf", file, "-C", src, "a"]);
    const bytes = readFileSync(file);
    const read = async (data: Uint8Array) => {
      for await (const e of readTar([data])) await e.bytes();
    };
    await expect(read(bytes.subarray(0, 2000))).rejects.toThrow("unexpected end of archive");
    const corrupt = Buffer.from(bytes);
    corrupt[10] = 0x41;
    await expect(read(corrupt)).rejects.toThrow("invalid header checksum");
    expect(statSync(file).size).toBeGreaterThan(5000);
  });
});
