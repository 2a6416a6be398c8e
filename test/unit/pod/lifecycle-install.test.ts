import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installDataDir, lookupGroupId } from "../../../src/store/install";
import { tempDir } from "../../support/harness";

let data: { path: string; cleanup: () => void };
let groupFile: string;
const GID = 4321;
beforeEach(() => {
  data = tempDir("rkt-lifecycle-");
  groupFile = join(data.path, "group");
  writeFileSync(groupFile, `root:x:0:\nrktish:x:1111:\nrkt:x:${GID}:alice,bob\n`);
});
afterEach(() => data.cleanup());

function modeOf(path: string): { mode: number; uid: number; gid: number } {
  const st = statSync(path);
  return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

test("the rkt group is looked up by exact name", () => {
  expect(lookupGroupId("rkt", groupFile)).toBe(GID);
  expect(() => lookupGroupId("nogroup-here", groupFile)).toThrow('error looking up nogroup-here gid: "nogroup-here" group not found');
});

test("install creates the directories with rkt's modes, owned by root and group rkt", () => {
  const dir = join(data.path, "rkt");
  installDataDir(dir, { groupFile });
  const expected: [string, number][] = [
    [".", 0o755], ["tmp", 0o775], ["pods", 0o700], ["cas", 0o775], ["cas/db", 0o775], ["cas/imagelocks", 0o775],
    ["cas/blob", 0o775], ["cas/blob/sha512", 0o775], ["cas/treestorelocks", 0o775], ["cas/tree", 0o775],
    ["cas/imageManifest", 0o775], ["cas/imageManifest/sha512", 0o775],
  ];
  for (const [path, mode] of expected) expect({ path, ...modeOf(join(dir, path)) }).toEqual({ path, mode, uid: 0, gid: GID });
  const dbFiles = readdirSync(join(dir, "cas", "db"));
  expect(dbFiles.length).toBeGreaterThan(0);
  for (const name of dbFiles) expect(modeOf(join(dir, "cas", "db", name))).toEqual({ mode: 0o664, uid: 0, gid: GID });
});

test("install shares existing store directories but leaves rendered trees' insides alone", () => {
  const dir = join(data.path, "rkt");
  const inTree = join(dir, "cas", "tree", "sha512-abc", "rootfs", "tmp");
  mkdirSync(inTree, { recursive: true, mode: 0o1777 });
  const blobFan = join(dir, "cas", "blob", "sha512", "ab");
  mkdirSync(blobFan, { recursive: true, mode: 0o700 });
  installDataDir(dir, { groupFile });
  expect(modeOf(blobFan)).toEqual({ mode: 0o775, uid: 0, gid: GID });
  expect(statSync(inTree).mode & 0o7777).toBe(0o1777 & ~process.umask());
  expect(statSync(inTree).gid).toBe(0);
});

test("install without a rkt group fails and creates nothing", () => {
  writeFileSync(groupFile, "root:x:0:\n");
  const dir = join(data.path, "rkt");
  expect(() => installDataDir(dir, { groupFile })).toThrow('error looking up rkt gid: "rkt" group not found');
  expect(() => statSync(dir)).toThrow();
});
