// A fetch that fails after the import (render refused, dependency missing) leaves no image:
// no row, no blob, no tree, and a later lookup by name does not find it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { imageManifest, makeTestAci, rkt, tempDir } from "../support/harness";
import { tarArchive } from "../unit/native/tar-builder";

let work: { path: string; cleanup: () => void };
let dataDir: string;

beforeAll(() => {
  work = tempDir("rkt-e2e-fetch-refused-");
  dataDir = join(work.path, "data");
});
afterAll(() => work.cleanup());

function expectNoImages(): void {
  expect(rkt(dataDir, ["image", "list", "--no-legend"])).toMatchObject({ exitCode: 0, stdout: "" });
  for (const dir of ["cas/blob/sha512", "cas/imageManifest/sha512"]) {
    for (const fanOut of readdirSync(join(dataDir, dir))) expect(readdirSync(join(dataDir, dir, fanOut))).toEqual([]);
  }
  expect(readdirSync(join(dataDir, "cas/tree"))).toEqual([]);
}

test("an image refused at render is not left in the store, and image extract by name does not find it", () => {
  const hostile = join(work.path, "hostile.aci");
  const manifest = JSON.stringify(imageManifest("example.com/hostile"));
  writeFileSync(
    hostile,
    gzipSync(
      tarArchive([
        { name: "manifest", data: manifest },
        { name: "rootfs", type: "5" },
        { name: "rootfs/passwd", type: "1", linkname: "rootfs/../../etc/passwd" },
      ]),
    ),
  );
  const r = rkt(dataDir, ["--insecure-skip-verify", "fetch", hostile]);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toMatch(/^fetch: extract .*: entry "rootfs\/..\/..\/etc\/passwd" points outside the destination\n$/);
  expectNoImages();
  const out = join(work.path, "out");
  const extract = rkt(dataDir, ["image", "extract", "example.com/hostile", out]);
  expect(extract.exitCode).toBe(1);
  expect(extract.stderr).toContain("cannot find image");
  expect(existsSync(out)).toBe(false);
});

test("an image whose dependency is missing is not left in the store", () => {
  const dependent = makeTestAci(work.path, "dependent.aci", { manifest: imageManifest("example.com/dependent", { dependencies: [{ imageName: "example.com/absent" }] }) });
  const r = rkt(dataDir, ["--insecure-skip-verify", "fetch", dependent]);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain('cannot find aci satisfying name: "example.com/absent"');
  expectNoImages();
});

test("an image stored before a failed fetch of it stays", () => {
  const base = makeTestAci(work.path, "base.aci", { manifest: imageManifest("example.com/base") });
  expect(rkt(dataDir, ["--insecure-skip-verify", "fetch", base]).exitCode).toBe(0);
  const withDependency = makeTestAci(work.path, "needs-base.aci", { manifest: imageManifest("example.com/needs", { dependencies: [{ imageName: "example.com/base" }, { imageName: "example.com/absent" }] }) });
  expect(rkt(dataDir, ["--insecure-skip-verify", "fetch", withDependency]).exitCode).toBe(1);
  const list = rkt(dataDir, ["image", "list", "--no-legend"]).stdout;
  expect(list).toContain("example.com/base");
  expect(list).not.toContain("example.com/needs");
});
