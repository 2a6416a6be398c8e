// Import checks the ACI layout as actool validate does (appc.md §2.1): `manifest`, a
// `rootfs` directory and `rootfs/...` only, with actool's reasons; a refused image leaves
// the store as it was.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { validateFile } from "../../../src/appc";
import { tarArchive, type TarEntrySpec } from "../native/tar-builder";
import { storeFixture, type StoreFixture } from "./fixtures";

let f: StoreFixture;
beforeEach(() => {
  f = storeFixture();
});
afterEach(() => f.cleanup());

const manifest: TarEntrySpec = { name: "manifest", data: '{"acKind":"ImageManifest","acVersion":"0.6.1","name":"example.com/layout"}' };
const rootfs: TarEntrySpec = { name: "rootfs", type: "5" };

function archive(name: string, entries: TarEntrySpec[]): string {
  const path = join(f.dir, name);
  writeFileSync(path, tarArchive(entries));
  return path;
}

function expectStoreEmpty(): void {
  expect(f.store.listImages()).toEqual([]);
  expect(readdirSync(join(f.dir, "data/cas/tmp"))).toEqual([]);
  expect(readdirSync(join(f.dir, "data/cas/blob/sha512"))).toEqual([]);
}

describe("import refuses what actool validate refuses, with its reason", () => {
  // [what, entries, reason, actool's reason when it names the cleaned path differently]
  const cases: [string, TarEntrySpec[], string, string?][] = [
    ["no rootfs", [manifest], "no rootfs found in layout"],
    ["rootfs/... entries without the rootfs directory", [manifest, { name: "rootfs/etc", type: "5" }], "no rootfs found in layout"],
    ["a top-level entry besides manifest and rootfs", [manifest, rootfs, { name: "./etc/passwd", data: "x" }], 'unrecognized file path in layout: "etc/passwd"'],
    ["a name that climbs out", [manifest, rootfs, { name: "rootfs/../../x", data: "x" }], 'unrecognized file path in layout: "rootfs/../../x"', 'unrecognized file path in layout: "../x"'],
    ["an absolute name", [manifest, rootfs, { name: "/rootfs/x", data: "x" }], 'unrecognized file path in layout: "/rootfs/x"'],
    ["rootfs as a file", [manifest, { name: "rootfs", data: "x" }], "rootfs is not a directory"],
  ];
  for (const [what, entries, reason, actoolReason] of cases) {
    test(what, async () => {
      const path = archive("bad.aci", entries);
      await expect(f.store.importAci(path)).rejects.toThrow(`bad image layout in ${path}: ${reason}`);
      expectStoreEmpty();
      expect(await validateFile(path)).toMatchObject({ ok: false, reason: actoolReason ?? reason });
    });
  }

  test("a missing manifest is reported first, as actool does", async () => {
    const path = archive("nothing.aci", [rootfs]);
    await expect(f.store.importAci(path)).rejects.toThrow(`missing manifest in ${path}`);
  });

  test("`.`, `./manifest`, `rootfs/` and entries below rootfs are accepted", async () => {
    const path = archive("good.aci", [{ name: "./", type: "5" }, { ...manifest, name: "./manifest" }, { name: "rootfs/", type: "5" }, { name: "rootfs/etc/x", data: "x" }]);
    const { manifest: m } = await f.store.importAci(path);
    expect(m.name).toBe("example.com/layout");
    expect(await validateFile(path)).toMatchObject({ ok: true });
  });
});
