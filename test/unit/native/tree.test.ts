// treeHash, copyTree, copyTreeHashed and removeTree on real trees.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { libc, native } from "../../../src/sys";
import { sandbox, snapshot, writeArchive, xattrsOf, type Sandbox } from "./fixtures";

let box: Sandbox;
let tree: string;
beforeEach(() => {
  box = sandbox();
  // Built through extraction so that it also carries an xattr, a device and a fifo.
  native.extractRootfs(
    writeArchive(box, [
      { name: "rootfs", type: "5" },
      { name: "rootfs/bin", type: "5", mode: 0o750, uid: 3, gid: 4, mtime: 1_300_000_000 },
      { name: "rootfs/bin/tool", data: "tool", mode: 0o4755, pax: { "SCHILY.xattr.user.note": "kept" } },
      { name: "rootfs/bin/alias", type: "1", linkname: "rootfs/bin/tool" },
      { name: "rootfs/null", type: "3", devmajor: 1, devminor: 3, mode: 0o666 },
      { name: "rootfs/fifo", type: "6", uid: 9 },
      { name: "rootfs/escape", type: "2", linkname: box.outside },
    ]),
    box.root,
  );
  tree = box.root;
});
afterEach(() => {
  Bun.spawnSync(["umount", join(box.dir, "copy-mount/mnt")]);
  box.cleanup();
});

describe("treeHash", () => {
  test("is stable and in key form: version 2 by default, version 1 (old stores) on demand", () => {
    const hash = native.treeHash(tree);
    expect(hash).toMatch(/^v2:sha512-[0-9a-f]{128}$/);
    expect(native.treeHash(tree)).toBe(hash);
    const v1 = native.treeHash(tree, 1);
    expect(v1).toMatch(/^sha512-[0-9a-f]{128}$/);
    expect(v1.slice("sha512-".length)).not.toBe(hash.slice("v2:sha512-".length));
  });

  test("version 2 covers only the xattrs an image may set; version 1 covers all", () => {
    // GNU tar writes the trusted.* xattr our extractor drops.
    const variants: Record<string, string>[] = [{ "SCHILY.xattr.user.k": "v" }, { "SCHILY.xattr.user.k": "v", "SCHILY.xattr.trusted.host": "1" }];
    const trees = variants.map((pax, i) => {
      const dir = join(box.dir, `gnu${i}`);
      mkdirSync(dir);
      const archive = writeArchive(box, [{ name: "f", data: "x", pax }], `gnu${i}.tar`);
      expect(Bun.spawnSync(["tar", "--xattrs", "--xattrs-include=*", "-xf", archive, "-C", dir]).exitCode).toBe(0);
      return dir;
    });
    expect(xattrsOf(trees[1]!, "f")).toEqual(["trusted.host=1", "user.k=v"]);
    expect(native.treeHash(trees[1]!, 2)).toBe(native.treeHash(trees[0]!, 2));
    expect(native.treeHash(trees[1]!, 1)).not.toBe(native.treeHash(trees[0]!, 1));
  });

  test("changes when a file's content changes", () => {
    const before = native.treeHash(tree);
    writeFileSync(join(tree, "bin/tool"), "tool2");
    expect(native.treeHash(tree)).not.toBe(before);
  });

  test("changes when a mode changes", () => {
    const before = native.treeHash(tree);
    chmodSync(join(tree, "bin"), 0o755);
    expect(native.treeHash(tree)).not.toBe(before);
  });

  test("changes when a symlink target changes", () => {
    const before = native.treeHash(tree);
    Bun.spawnSync(["ln", "-sfn", "/elsewhere", join(tree, "escape")]);
    expect(native.treeHash(tree)).not.toBe(before);
  });

  test("does not change when only mtimes change", () => {
    const before = native.treeHash(tree);
    utimesSync(join(tree, "bin/tool"), 5, 5);
    utimesSync(join(tree, "bin"), 5, 5);
    expect(native.treeHash(tree)).toBe(before);
  });
});

describe("copyTree", () => {
  test("preserves types, modes, owners, times, xattrs and hardlinks", () => {
    const copy = join(box.dir, "copy");
    native.copyTree(tree, copy);
    expect(native.treeHash(copy)).toBe(native.treeHash(tree));
    expect(snapshot(copy)).toEqual(snapshot(tree));
    expect(statSync(join(copy, "bin/alias")).ino).toBe(statSync(join(copy, "bin/tool")).ino);
    expect(statSync(join(copy, "bin")).mtimeMs).toBe(1_300_000_000_000);
    expect(statSync(join(copy, "bin/tool")).mode & 0o7777).toBe(0o4755);
    expect(xattrsOf(copy, "bin/tool")).toEqual(["user.note=kept"]);
    expect(lstatSync(join(copy, "escape")).isSymbolicLink()).toBe(true);
  });

  test("shifts owners when asked", () => {
    const copy = join(box.dir, "copy");
    native.copyTree(tree, copy, { uidShift: 0x20000 });
    const st = lstatSync(join(copy, "bin"));
    expect([st.uid, st.gid]).toEqual([0x20003, 0x20004]);
    expect(lstatSync(join(copy, "fifo")).uid).toBe(0x20009);
  });

  test("refuses a destination that is not empty", () => {
    const copy = join(box.dir, "copy");
    mkdirSync(copy);
    writeFileSync(join(copy, "x"), "");
    expect(() => native.copyTree(tree, copy)).toThrow(/copy tree into .*\/copy: ENOTEMPTY/);
  });
});

describe("copyTreeHashed", () => {
  test("copies as copyTree does and returns the source's treeHash", () => {
    const copy = join(box.dir, "copy");
    expect(native.copyTreeHashed(tree, copy)).toBe(native.treeHash(tree));
    expect(snapshot(copy)).toEqual(snapshot(tree));
  });

  test("a copy that fails fails the whole call", () => {
    const copy = join(box.dir, "copy");
    mkdirSync(copy);
    writeFileSync(join(copy, "x"), "");
    expect(() => native.copyTreeHashed(tree, copy)).toThrow(/copy tree into .*\/copy: ENOTEMPTY/);
  });
});

describe("removeTree", () => {
  test("removes a tree without following its symlinks", () => {
    symlinkSync(box.victim, join(tree, "victim-link"));
    native.removeTree(tree);
    expect(existsSync(tree)).toBe(false);
    expect(readFileSync(box.victim, "utf8")).toBe("original\n");
  });

  test("a missing path is not an error", () => {
    expect(() => native.removeTree(join(box.dir, "absent"))).not.toThrow();
  });

  test("refuses to cross into a mount below the path and leaves the mount's content", () => {
    const top = join(box.dir, "copy-mount");
    mkdirSync(join(top, "mnt"), { recursive: true });
    libc.mount("tmpfs", join(top, "mnt"), "tmpfs", 0, "");
    writeFileSync(join(top, "mnt/precious"), "keep");
    expect(() => native.removeTree(top)).toThrow(/refusing to remove a tree across mount point .*copy-mount\/mnt: Device or resource busy/);
    expect(readFileSync(join(top, "mnt/precious"), "utf8")).toBe("keep");
  });

  test("refuses a path that is itself a mount point", () => {
    const top = join(box.dir, "copy-mount");
    mkdirSync(join(top, "mnt"), { recursive: true });
    libc.mount("tmpfs", join(top, "mnt"), "tmpfs", 0, "");
    writeFileSync(join(top, "mnt/precious"), "keep");
    expect(() => native.removeTree(join(top, "mnt"))).toThrow(/Device or resource busy/);
    expect(readFileSync(join(top, "mnt/precious"), "utf8")).toBe("keep");
  });
});

test("hard links inside a copied tree stay hard links even across directories", () => {
  mkdirSync(join(tree, "other"));
  linkSync(join(tree, "bin/tool"), join(tree, "other/third"));
  const copy = join(box.dir, "copy");
  native.copyTree(tree, copy);
  expect(statSync(join(copy, "other/third")).ino).toBe(statSync(join(copy, "bin/tool")).ino);
  expect(statSync(join(copy, "bin/tool")).nlink).toBe(3);
});
