// No entry of an archive may create or change anything outside the extraction root.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { native } from "../../../src/sys";
import { sandbox, snapshot, writeArchive, type Sandbox } from "./fixtures";
import type { TarEntrySpec } from "./tar-builder";

let box: Sandbox;
beforeEach(() => (box = sandbox()));
afterEach(() => box.cleanup());

const passwdDigest = () => createHash("sha256").update(readFileSync("/etc/passwd")).digest("hex");

/** Extracts and returns the error (if any); asserts that nothing outside the root changed. */
function extractAndCheckOutside(entries: TarEntrySpec[], opts: native.ExtractOptions = {}): Error | undefined {
  const before = snapshot(box.outside);
  const passwd = passwdDigest();
  const sandboxBefore = snapshot(box.dir).filter((line) => !line.startsWith("root"));
  let error: Error | undefined;
  try {
    native.extractRootfs(writeArchive(box, entries), box.root, opts);
  } catch (e) {
    error = e as Error;
  }
  expect(snapshot(box.outside)).toEqual(before);
  expect(passwdDigest()).toBe(passwd);
  const sandboxAfter = snapshot(box.dir).filter((line) => !line.startsWith("root") && !line.startsWith("evil.tar"));
  expect(sandboxAfter).toEqual(sandboxBefore.filter((line) => !line.startsWith("evil.tar")));
  return error;
}

const dir = (name: string): TarEntrySpec => ({ name, type: "5" });
const file = (name: string, data = "pwned\n"): TarEntrySpec => ({ name, data });

describe("extractRootfs refuses entries that escape the root", () => {
  for (const name of ["../x", "rootfs/../../x", "rootfs/a/../../../outside/victim", "/abs", "/rootfs/x"]) {
    test(`refuses the name ${JSON.stringify(name)}`, () => {
      const error = extractAndCheckOutside([dir("rootfs"), file(name)]);
      expect(error?.message).toMatch(/outside the destination/);
    });
  }

  test("refuses a file below a symlink the archive planted to an outside directory", () => {
    const error = extractAndCheckOutside([
      dir("rootfs"),
      { name: "rootfs/evil", type: "2", linkname: box.outside },
      file("rootfs/evil/victim"),
    ]);
    expect(error?.message).toMatch(/a parent path is a symlink or not a directory/);
    expect(lstatSync(join(box.root, "evil")).isSymbolicLink()).toBe(true);
  });

  test("refuses a file below a symlink to ..", () => {
    const error = extractAndCheckOutside([
      dir("rootfs"),
      { name: "rootfs/up", type: "2", linkname: ".." },
      file("rootfs/up/outside/victim"),
    ]);
    expect(error?.message).toMatch(/a parent path is a symlink or not a directory/);
  });

  test("refuses a file below a relative symlink that stays inside the root", () => {
    const error = extractAndCheckOutside([
      dir("rootfs"),
      dir("rootfs/usr"),
      { name: "rootfs/lib", type: "2", linkname: "usr" },
      file("rootfs/lib/x"),
    ]);
    expect(error?.message).toMatch(/a parent path is a symlink or not a directory/);
  });

  for (const linkname of ["/etc/passwd", "../outside/victim", "rootfs/../../outside/victim", "manifest"]) {
    test(`refuses a hardlink to ${JSON.stringify(linkname)}`, () => {
      const error = extractAndCheckOutside([
        file("manifest", "{}"),
        dir("rootfs"),
        { name: "rootfs/h", type: "1", linkname },
      ]);
      expect(error?.message).toMatch(/outside/);
    });
  }

  test("a hardlink to a planted symlink links the symlink, and writing that name replaces it", () => {
    const error = extractAndCheckOutside([
      dir("rootfs"),
      { name: "rootfs/s", type: "2", linkname: box.victim },
      { name: "rootfs/h", type: "1", linkname: "rootfs/s" },
      file("rootfs/h"),
      file("rootfs/s"),
    ]);
    expect(error).toBeUndefined();
    expect(readFileSync(join(box.root, "h"), "utf8")).toBe("pwned\n");
    expect(readFileSync(join(box.root, "s"), "utf8")).toBe("pwned\n");
  });

  test("a planted symlink as the final component of a later file is replaced, not written through", () => {
    const error = extractAndCheckOutside([
      dir("rootfs"),
      { name: "rootfs/evil", type: "2", linkname: box.victim },
      file("rootfs/evil"),
    ]);
    expect(error).toBeUndefined();
    expect(lstatSync(join(box.root, "evil")).isFile()).toBe(true);
    expect(readFileSync(join(box.root, "evil"), "utf8")).toBe("pwned\n");
  });

  test("a directory entry over a planted symlink replaces the symlink", () => {
    const error = extractAndCheckOutside([
      dir("rootfs"),
      { name: "rootfs/d", type: "2", linkname: box.outside },
      dir("rootfs/d"),
      file("rootfs/d/victim"),
    ]);
    expect(error).toBeUndefined();
    expect(lstatSync(join(box.root, "d")).isDirectory()).toBe(true);
  });

  test("a symlink already in the destination is not followed as a parent", () => {
    symlinkSync(box.outside, join(box.root, "pre"));
    const error = extractAndCheckOutside([dir("rootfs"), file("rootfs/pre/victim")]);
    expect(error?.message).toMatch(/a parent path is a symlink or not a directory/);
  });

  test("a symlink already in the destination as a final component is replaced", () => {
    symlinkSync(box.victim, join(box.root, "pre"));
    expect(extractAndCheckOutside([dir("rootfs"), file("rootfs/pre")])).toBeUndefined();
    expect(lstatSync(join(box.root, "pre")).isFile()).toBe(true);
  });

  test("in skip-existing mode, entries below a symlink or file put there earlier are skipped", () => {
    symlinkSync(box.outside, join(box.root, "pre"));
    writeFileSync(join(box.root, "plain"), "upper\n");
    const error = extractAndCheckOutside(
      [dir("rootfs"), file("rootfs/pre/victim"), file("rootfs/plain/x"), file("rootfs/pre"), file("rootfs/ok")],
      { skipExisting: true },
    );
    expect(error).toBeUndefined();
    expect(lstatSync(join(box.root, "pre")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(box.root, "plain"), "utf8")).toBe("upper\n");
    expect(readFileSync(join(box.root, "ok"), "utf8")).toBe("pwned\n");
  });

  test("a device node or fifo cannot be placed outside either", () => {
    mkdirSync(join(box.root, "dev"));
    const error = extractAndCheckOutside([
      dir("rootfs"),
      { name: "rootfs/link", type: "2", linkname: box.outside },
      { name: "rootfs/link/null", type: "3", devmajor: 1, devminor: 3 },
    ]);
    expect(error?.message).toMatch(/a parent path is a symlink or not a directory/);
  });
});

describe("extractRootfs never resolves through a symlink in the middle of a path", () => {
  test("a hardlink whose target's directory is a planted symlink to a host directory is refused, the host file not linked", () => {
    const error = extractAndCheckOutside([
      dir("rootfs"),
      { name: "rootfs/evil", type: "2", linkname: box.outside },
      { name: "rootfs/h", type: "1", linkname: "rootfs/evil/victim" },
    ]);
    expect(error?.message).toMatch(/^link to \S+\/root\/evil: (Not a directory|Too many levels of symbolic links)$/);
    expect(existsSync(join(box.root, "h"))).toBe(false);
    expect(statSync(box.victim).nlink).toBe(1);
  });

  const throughMiddleSymlink = [dir("rootfs"), dir("rootfs/usr"), dir("rootfs/usr/sub"), { name: "rootfs/lib", type: "2", linkname: "usr" }, file("rootfs/lib/sub/x")];

  test("a file below a symlink that is not the last directory of its parent path is refused", () => {
    const error = extractAndCheckOutside(throughMiddleSymlink);
    expect(error?.message).toMatch(/a parent path is a symlink or not a directory/);
    expect(existsSync(join(box.root, "usr/sub/x"))).toBe(false);
  });

  test("in a layered render, a file below a middle symlink of an earlier image is skipped, not written through it", () => {
    expect(extractAndCheckOutside(throughMiddleSymlink.slice(0, 4), { skipExisting: true })).toBeUndefined();
    expect(extractAndCheckOutside([dir("rootfs"), file("rootfs/lib/sub/x")], { skipExisting: true })).toBeUndefined();
    expect(lstatSync(join(box.root, "lib")).isSymbolicLink()).toBe(true);
    expect(existsSync(join(box.root, "usr/sub/x"))).toBe(false);
  });
});
