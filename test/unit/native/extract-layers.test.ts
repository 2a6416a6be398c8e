// Rendering several images into one root: "first writer wins" (skipExisting), pathWhitelist
// and the uid shift of --private-users.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { native } from "../../../src/sys";
import { sandbox, writeArchive, type Sandbox } from "./fixtures";
import type { TarEntrySpec } from "./tar-builder";

let box: Sandbox;
beforeEach(() => (box = sandbox()));
afterEach(() => box.cleanup());

const dir = (name: string, mode = 0o755): TarEntrySpec => ({ name, type: "5", mode });
const file = (name: string, data: string, mode = 0o644): TarEntrySpec => ({ name, data, mode });
const read = (rel: string) => readFileSync(join(box.root, rel), "utf8");

function extract(entries: TarEntrySpec[], opts: native.ExtractOptions, name: string): void {
  native.extractRootfs(writeArchive(box, entries, name), box.root, opts);
}

describe("skipExisting: the first image to write a path wins", () => {
  beforeEach(() => {
    const upper = [
      dir("rootfs"),
      dir("rootfs/etc", 0o700),
      file("rootfs/etc/conf", "upper"),
      file("rootfs/blocker", "a file where the lower image has a directory"),
      { name: "rootfs/lib", type: "2", linkname: "usr/lib" },
    ];
    extract(upper, { skipExisting: true }, "upper.tar");
    const lower = [
      dir("rootfs"),
      dir("rootfs/etc"),
      file("rootfs/etc/conf", "lower"),
      file("rootfs/etc/extra", "lower"),
      dir("rootfs/blocker"),
      file("rootfs/blocker/x", "lower"),
      dir("rootfs/lib"),
      file("rootfs/lib/libc.so", "lower"),
    ];
    extract(lower, { skipExisting: true }, "lower.tar");
  });

  test("a file already present is kept", () => expect(read("etc/conf")).toBe("upper"));
  test("new files of the lower image are added into existing directories", () => expect(read("etc/extra")).toBe("lower"));
  test("an existing directory keeps its metadata", () => expect(statSync(join(box.root, "etc")).mode & 0o777).toBe(0o700));
  test("entries below an upper non-directory are skipped", () => {
    expect(read("blocker")).toMatch(/^a file/);
    expect(lstatSync(join(box.root, "lib")).isSymbolicLink()).toBe(true);
    expect(existsSync(join(box.root, "usr"))).toBe(false);
  });
});

describe("pathWhitelist", () => {
  const image = [
    dir("rootfs"),
    dir("rootfs/bin", 0o750),
    file("rootfs/bin/sh", "sh"),
    file("rootfs/bin/ls", "ls"),
    dir("rootfs/etc"),
    file("rootfs/etc/passwd", "passwd"),
  ];

  test("non-directory entries that are not listed are skipped; directories stay", () => {
    extract(image, { whitelist: ["/bin/sh", "/etc/../etc/passwd"] }, "w.tar");
    expect(read("bin/sh")).toBe("sh");
    expect(read("etc/passwd")).toBe("passwd");
    expect(existsSync(join(box.root, "bin/ls"))).toBe(false);
    expect(statSync(join(box.root, "bin")).mode & 0o777).toBe(0o750);
  });

  test("applied to directories, unlisted directories are skipped and a listed file gets a plain parent", () => {
    extract(image, { whitelist: ["/bin/sh"], whitelistAppliesToDirs: true }, "w.tar");
    expect(read("bin/sh")).toBe("sh");
    expect(statSync(join(box.root, "bin")).mode & 0o777).toBe(0o755);
    expect(existsSync(join(box.root, "etc"))).toBe(false);
  });

  test("an empty whitelist filters nothing", () => {
    extract(image, { whitelist: [] }, "w.tar");
    expect(read("bin/ls")).toBe("ls");
  });
});

describe("uidShift", () => {
  test("owners are moved up by the shift", () => {
    extract([dir("rootfs"), { name: "rootfs/f", data: "x", uid: 5, gid: 6 }], { uidShift: 0x10000 }, "s.tar");
    const st = statSync(join(box.root, "f"));
    expect([st.uid, st.gid]).toEqual([0x10005, 0x10006]);
  });

  test("an owner outside the 65536 range is refused", () => {
    expect(() => extract([dir("rootfs"), { name: "rootfs/f", data: "x", uid: 70000 }], { uidShift: 0x10000 }, "s.tar")).toThrow(
      /uid 70000 or gid 0 are out of range 65536/,
    );
  });
});
