// Extraction restores what `tar -xf` restores: types, modes, owners, times, xattrs, links.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { native } from "../../../src/sys";
import { tempDir } from "../../support/harness";
import { run, writeArchive, sandbox, xattrsOf } from "./fixtures";

let work: { path: string; cleanup: () => void };
let archive: string;
let ours: string;
let theirs: string;

/** A tree with every kind of entry and unusual metadata, packed by the system tar. */
function buildSource(src: string): void {
  const rootfs = join(src, "rootfs");
  mkdirSync(join(rootfs, "bin"), { recursive: true });
  mkdirSync(join(rootfs, "tmp"));
  mkdirSync(join(rootfs, "dev"));
  writeFileSync(join(src, "manifest"), '{"acKind":"ImageManifest"}');
  writeFileSync(join(rootfs, "bin/suid"), "#!/bin/sh\n");
  chownSync(join(rootfs, "bin/suid"), 1234, 5678);
  chmodSync(join(rootfs, "bin/suid"), 0o4755);
  writeFileSync(join(rootfs, "bin/sgid"), "x");
  chmodSync(join(rootfs, "bin/sgid"), 0o2711);
  writeFileSync(join(rootfs, "big"), Buffer.alloc(3 << 20, "abc"));
  writeFileSync(join(rootfs, "private"), "secret");
  chmodSync(join(rootfs, "private"), 0o600);
  chownSync(join(rootfs, "private"), 99, 100);
  chmodSync(join(rootfs, "tmp"), 0o1777);
  linkSync(join(rootfs, "bin/sgid"), join(rootfs, "bin/hard"));
  symlinkSync("../bin/suid", join(rootfs, "dev/link"));
  run(["mkfifo", join(rootfs, "dev/fifo")]);
  run(["mknod", join(rootfs, "dev/null"), "c", "1", "3"]);
  run(["mknod", join(rootfs, "dev/loop9"), "b", "7", "9"]);
  chownSync(join(rootfs, "dev"), 7, 8);
  for (const name of ["bin/suid", "private", "big", "dev/null"]) utimesSync(join(rootfs, name), 1_000_000_000, 1_234_567_890);
  utimesSync(join(rootfs, "bin"), 1_000_000_000, 1_111_111_111);
  run(["tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-C", src, "-cf", archive, "manifest", "rootfs"]);
}

beforeAll(() => {
  work = tempDir("rkt-native-meta-");
  archive = join(work.path, "image.tar");
  ours = join(work.path, "ours");
  theirs = join(work.path, "theirs");
  buildSource(join(work.path, "src"));
  mkdirSync(ours);
  mkdirSync(theirs);
  native.extractRootfs(archive, ours);
  run(["tar", "--xattrs", "--xattrs-include=*", "--same-owner", "--same-permissions", "--numeric-owner", "-C", theirs, "-xf", archive]);
});
afterAll(() => work.cleanup());

/** Every entry below dir: type and mode, owner, size, mtime, device, link count. */
function describeTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const st = lstatSync(join(dir, rel, name));
      out.push(`${join(rel, name)} mode=${st.mode.toString(8)} owner=${st.uid}:${st.gid} size=${st.isDirectory() ? "-" : st.size} mtime=${Math.floor(st.mtimeMs / 1000)} rdev=${st.rdev} nlink=${st.isDirectory() ? "-" : st.nlink}`);
      if (st.isDirectory()) walk(join(rel, name));
    }
  };
  walk("");
  return out;
}

describe("extractRootfs restores metadata like tar -xf", () => {
  test("every entry has the same type, mode, owner, size, mtime, device numbers and link count", () => {
    expect(describeTree(ours)).toEqual(describeTree(join(theirs, "rootfs")));
  });

  test("setuid, setgid and sticky bits survive the chown", () => {
    expect(statSync(join(ours, "bin/suid")).mode & 0o7777).toBe(0o4755);
    expect(statSync(join(ours, "bin/sgid")).mode & 0o7777).toBe(0o2711);
    expect(statSync(join(ours, "tmp")).mode & 0o7777).toBe(0o1777);
  });

  test("hardlinks share the inode; symlinks keep their target", () => {
    expect(statSync(join(ours, "bin/hard")).ino).toBe(statSync(join(ours, "bin/sgid")).ino);
    expect(lstatSync(join(ours, "dev/link")).isSymbolicLink()).toBe(true);
  });

  test("directory times are restored after their contents", () => {
    expect(Math.floor(statSync(join(ours, "bin")).mtimeMs / 1000)).toBe(1_111_111_111);
  });

  test("the tree hash of our extraction equals that of tar's", () => {
    expect(native.treeHash(ours)).toBe(native.treeHash(join(theirs, "rootfs")));
  });

  test("stripRootfs false extracts the manifest and the rootfs directory", () => {
    const all = join(work.path, "all");
    mkdirSync(all);
    native.extractRootfs(archive, all, { stripRootfs: false });
    expect(readdirSync(all).sort()).toEqual(["manifest", "rootfs"]);
    expect(native.treeHash(join(all, "rootfs"))).toBe(native.treeHash(ours));
  });
});

describe("extractRootfs reads PAX and GNU extensions", () => {
  test("xattrs, long names and PAX owner/mtime overrides are applied", () => {
    const box = sandbox();
    try {
      const longName = `rootfs/${"d".repeat(120)}/${"f".repeat(150)}`;
      const tar = writeArchive(box, [
        { name: "rootfs", type: "5" },
        { name: "rootfs/x", data: "x", pax: { "SCHILY.xattr.user.rkt": "yes", "SCHILY.xattr.trusted.bin": Buffer.from([0, 1, 2]) } },
        { name: "ignored", data: "long", pax: { path: longName, uid: "70000", gid: "80000", mtime: "1500000000.5" } },
        { name: "rootfs/dir", type: "5", pax: { "SCHILY.xattr.user.dir": "d" } },
      ]);
      native.extractRootfs(tar, box.root);
      expect(xattrsOf(box.root, "x")).toEqual(["user.rkt=yes"]); // trusted.* is dropped: extract-replace.test.ts
      expect(xattrsOf(box.root, "dir")).toEqual(["user.dir=d"]);
      const st = statSync(join(box.root, longName.slice("rootfs/".length)));
      expect([st.uid, st.gid, st.mtimeMs]).toEqual([70000, 80000, 1_500_000_000_500]);
    } finally {
      box.cleanup();
    }
  });

  test("GNU long names and links written by tar are read", () => {
    const box = sandbox();
    try {
      const deep = join(box.dir, "src", "rootfs", "a".repeat(90), "b".repeat(90));
      mkdirSync(deep, { recursive: true });
      writeFileSync(join(deep, "c".repeat(90)), "deep");
      symlinkSync("t".repeat(150), join(deep, "l"));
      const tar = join(box.dir, "gnu.tar");
      run(["tar", "--format=gnu", "-C", join(box.dir, "src"), "-cf", tar, "rootfs"]);
      native.extractRootfs(tar, box.root);
      const rel = join("a".repeat(90), "b".repeat(90));
      expect(statSync(join(box.root, rel, "c".repeat(90))).size).toBe(4);
      expect(lstatSync(join(box.root, rel, "l")).isSymbolicLink()).toBe(true);
    } finally {
      box.cleanup();
    }
  });
});
