// Which images `rkt image gc` removes: a real store with imported images and hand-made pods.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { imageKeysInUse } from "../../../src/pod/images-in-use";
import { orphanTrees, unusedImages } from "../../../src/pod/image-gc";
import { storeFixture, type StoreFixture } from "../store/fixtures";
import { makePod } from "./lifecycle-fixtures";

let f: StoreFixture;
beforeEach(() => (f = storeFixture()));
afterEach(() => f.cleanup());

const HOUR = 3_600_000;

test("keeps the images of pods in prepared, run and exited-garbage; a pod in garbage holds none", async () => {
  const dataDir = join(f.dir, "data");
  const keys: Record<string, string> = {};
  for (const state of ["prepared", "run", "exited-garbage", "garbage", "none"] as const) {
    keys[state] = await f.image(`example.com/${state}`);
    if (state !== "none") makePod(dataDir, { dirState: state, apps: [{ name: "app", imageId: keys[state] }] });
  }
  const later = Date.now() + 2 * HOUR;
  expect(unusedImages(f.store, imageKeysInUse(dataDir), HOUR, later).sort()).toEqual([keys.garbage, keys.none].sort());
});

test("keeps an image used within the grace period, and removes it once the period is over", async () => {
  const key = await f.image("example.com/used");
  f.store.index.markUsed([key], new Date(10 * HOUR));
  expect(unusedImages(f.store, new Set(), HOUR, 11 * HOUR)).toEqual([]);
  expect(unusedImages(f.store, new Set(), HOUR, 11 * HOUR + 1)).toEqual([key]);
});

test("a pod's choice of an image counts as its use, and leaves the index's use time as it was", async () => {
  const key = await f.image("example.com/chosen");
  f.store.index.markUsed([key], new Date(10 * HOUR));
  f.store.markImagesChosenByPod([key], new Date(20 * HOUR));
  expect(f.store.index.aciInfo(key)!.lastUsed).toEqual(new Date(10 * HOUR));
  expect(unusedImages(f.store, new Set(), HOUR, 21 * HOUR)).toEqual([]);
  expect(unusedImages(f.store, new Set(), HOUR, 21 * HOUR + 1)).toEqual([key]);
});

test("a later use recorded in the index counts over an earlier choice by a pod", async () => {
  const key = await f.image("example.com/fetched-later");
  f.store.markImagesChosenByPod([key], new Date(10 * HOUR));
  f.store.index.markUsed([key], new Date(20 * HOUR));
  expect(unusedImages(f.store, new Set(), HOUR, 21 * HOUR)).toEqual([]);
});

test("trees whose image is gone are orphans unless a pod names them; a stored image's tree is not", async () => {
  const stored = await f.image("example.com/stored");
  await f.store.renderTree(stored);
  const [orphan, claimed] = ["a", "b"].map((digit) => "sha512-" + digit.repeat(64)) as [string, string];
  for (const key of [orphan, claimed]) mkdirSync(join(f.store.layout.tree(key), "rootfs"), { recursive: true });
  expect(orphanTrees(f.store, new Set([claimed]))).toEqual([orphan]);
});
