// Tar semantics: a later entry of an archive replaces what an earlier entry of the same
// archive made at its name (as rkt's extractor and tar do), in `image extract` mode and in
// render mode (skipExisting), where what an earlier image put there is kept. Images'
// `trusted.*`, `security.selinux` and namespaced (v3) file capabilities are dropped.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { native } from "../../../src/sys";
import { sandbox, writeArchive, xattrsOf, type Sandbox } from "./fixtures";
import type { TarEntrySpec } from "./tar-builder";

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

const rootfs: TarEntrySpec = { name: "rootfs", type: "5" };

// Each later entry meets an earlier entry of the same archive at its name.
const replacing: TarEntrySpec[] = [
  rootfs,
  { name: "rootfs/file", data: "first" },
  { name: "rootfs/file", data: "second" },
  { name: "rootfs/was-file", data: "file" },
  { name: "rootfs/was-file", type: "5", mode: 0o700 },
  { name: "rootfs/was-dir", type: "5" },
  { name: "rootfs/was-dir/child", type: "5" },
  { name: "rootfs/was-dir/child/grandchild", data: "gone" },
  { name: "rootfs/was-dir", data: "now a file" },
  { name: "rootfs/was-link-target", data: "target" },
  { name: "rootfs/was-plain", data: "plain" },
  { name: "rootfs/was-plain", type: "2", linkname: "was-link-target" },
  { name: "rootfs/was-linked", data: "own" },
  { name: "rootfs/was-linked", type: "1", linkname: "rootfs/was-link-target" },
  { name: "rootfs/merged", type: "5", mode: 0o755 },
  { name: "rootfs/merged/kept", data: "kept" },
  { name: "rootfs/merged", type: "5", mode: 0o750 },
];

function expectLaterEntriesWon(root: string): void {
  expect(readFileSync(join(root, "file"), "utf8")).toBe("second");
  expect(statSync(join(root, "was-file")).isDirectory()).toBe(true);
  expect(statSync(join(root, "was-file")).mode & 0o777).toBe(0o700);
  expect(readFileSync(join(root, "was-dir"), "utf8")).toBe("now a file");
  expect(readlinkSync(join(root, "was-plain"))).toBe("was-link-target");
  expect(statSync(join(root, "was-linked")).ino).toBe(statSync(join(root, "was-link-target")).ino);
  expect(readFileSync(join(root, "merged/kept"), "utf8")).toBe("kept");
  expect(statSync(join(root, "merged")).mode & 0o777).toBe(0o750);
}

describe("a later entry replaces an earlier one of the same archive", () => {
  test("when extracting an image (image extract)", () => {
    native.extractRootfs(writeArchive(box, replacing), box.root);
    expectLaterEntriesWon(box.root);
  });

  test("when rendering (first writer wins only between images)", () => {
    native.extractRootfs(writeArchive(box, replacing), box.root, { skipExisting: true });
    expectLaterEntriesWon(box.root);
  });

  test("rendering keeps what an earlier image put there, whatever this archive says", () => {
    writeFileSync(join(box.root, "file"), "earlier image");
    mkdirSync(join(box.root, "was-dir"));
    writeFileSync(join(box.root, "was-dir/earlier"), "earlier image");
    native.extractRootfs(writeArchive(box, replacing), box.root, { skipExisting: true });
    expect(readFileSync(join(box.root, "file"), "utf8")).toBe("earlier image");
    expect(readFileSync(join(box.root, "was-dir/earlier"), "utf8")).toBe("earlier image");
    expect(existsSync(join(box.root, "was-dir/child/grandchild"))).toBe(true);
  });

  test("rendering refuses entries below a symlink of the same archive, as image extract does", () => {
    const tar = writeArchive(box, [rootfs, { name: "rootfs/link", type: "2", linkname: box.outside }, { name: "rootfs/link/planted", data: "x" }]);
    expect(() => native.extractRootfs(tar, box.root, { skipExisting: true })).toThrow(`extract ${join(box.root, "link/planted")}: a parent path is a symlink or not a directory`);
    expect(existsSync(join(box.outside, "planted"))).toBe(false);
  });

  test("a directory that was there before the archive is not emptied to make room for a file", () => {
    mkdirSync(join(box.root, "dir"));
    writeFileSync(join(box.root, "dir/mine"), "mine");
    const tar = writeArchive(box, [rootfs, { name: "rootfs/dir", data: "x" }]);
    expect(() => native.extractRootfs(tar, box.root)).toThrow(`replace directory ${join(box.root, "dir")}: ENOTEMPTY`);
    expect(readFileSync(join(box.root, "dir/mine"), "utf8")).toBe("mine");
  });

  test("a replaced directory's symlink is removed, not followed", () => {
    const tar = writeArchive(box, [
      rootfs,
      { name: "rootfs/d", type: "5" },
      { name: "rootfs/d/out", type: "2", linkname: box.outside },
      { name: "rootfs/d", data: "file" },
    ]);
    native.extractRootfs(tar, box.root);
    expect(readFileSync(join(box.root, "d"), "utf8")).toBe("file");
    expect(readFileSync(box.victim, "utf8")).toBe("original\n");
  });
});

describe("xattrs an image may not set", () => {
  // v2 file capabilities (cap_net_bind_service+ep) and a v3 one with a root uid of 100000.
  const capV2 = Buffer.from([0x01, 0, 0, 0x02, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const capV3 = Buffer.concat([Buffer.from([0x01, 0, 0, 0x03]), capV2.subarray(4), Buffer.from([0xa0, 0x86, 0x01, 0x00])]);

  for (const skipExisting of [false, true]) {
    test(`trusted.*, security.selinux and v3 capabilities are dropped, others kept (${skipExisting ? "render" : "image extract"})`, () => {
      const tar = writeArchive(box, [
        rootfs,
        { name: "rootfs/dir", type: "5", pax: { "SCHILY.xattr.trusted.overlay.opaque": "y", "SCHILY.xattr.user.kept": "1" } },
        { name: "rootfs/v2", data: "x", pax: { "SCHILY.xattr.security.capability": capV2, "SCHILY.xattr.security.selinux": "system_u:object_r:shadow_t:s0" } },
        { name: "rootfs/v3", data: "x", pax: { "SCHILY.xattr.security.capability": capV3, "SCHILY.xattr.trusted.overlay.redirect": "/etc" } },
      ]);
      native.extractRootfs(tar, box.root, { skipExisting });
      expect(xattrsOf(box.root, "dir")).toEqual(["user.kept=1"]);
      expect(xattrsOf(box.root, "v2").map((x) => x.split("=")[0])).toEqual(["security.capability"]);
      expect(xattrsOf(box.root, "v3")).toEqual([]);
      expect(lstatSync(join(box.root, "v3")).isFile()).toBe(true);
    });
  }
});

// Kernels before 5.6 have no openat2: the same rules hold with the fallback walk.
test.skipIf(process.env.RKT_NATIVE_NO_OPENAT2 === "1")("this suite passes with the openat2 fallback walk", () => {
  const proc = Bun.spawnSync([process.execPath, "test", import.meta.path], { env: { ...process.env, RKT_NATIVE_NO_OPENAT2: "1" }, stdout: "pipe", stderr: "pipe" });
  expect(proc.stderr.toString()).toMatch(/ 8 pass\n 1 skip\n 0 fail/);
  expect(proc.exitCode).toBe(0);
});
