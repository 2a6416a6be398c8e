// A bad manifest is reported naming the file it was read from and the field, without the
// JavaScript engine's wording (`JSON Parse error: ...`).
import { afterEach, beforeEach, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readAciManifest } from "../../../src/appc";
import { tarArchive } from "../native/tar-builder";
import { storeFixture, type StoreFixture } from "./fixtures";

let f: StoreFixture;
beforeEach(() => {
  f = storeFixture();
});
afterEach(() => f.cleanup());

function aciWithManifest(text: string): string {
  const path = join(f.dir, "image.aci");
  writeFileSync(path, tarArchive([{ name: "manifest", data: text }, { name: "rootfs", type: "5" }]));
  return path;
}

test("a manifest that is not JSON: the file, and the parser's reason without its prefix", async () => {
  const path = aciWithManifest("nonsense");
  const expected = `bad image manifest in ${path}: invalid JSON: Unexpected identifier "nonsense"`;
  await expect(f.store.importAci(path)).rejects.toThrow(expected);
  await expect(readAciManifest(path)).rejects.toThrow(expected);
});

test("a field of the wrong type, read before import (signature check), names the file and the field", async () => {
  const path = aciWithManifest('{"acKind":"ImageManifest","acVersion":"0.6.1","name":"example.com/x","labels":5}');
  await expect(readAciManifest(path)).rejects.toThrow(`bad image manifest in ${path}: labels: must be a list`);
});

test("a damaged manifest copy in the store names its file", async () => {
  const key = await f.image("example.com/damaged");
  const copy = join(f.dir, "data/cas/imageManifest/sha512", key.slice(7, 9), key);
  writeFileSync(copy, '{"acKind":"ImageManifest","acVersion":"0.6.1","name":"example.com/damaged","app":{"exec":5}}');
  expect(() => f.store.readManifest(key)).toThrow(`bad image manifest in ${copy}: app.exec: must be a list`);
});
