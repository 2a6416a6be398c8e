// The list cache (native/list_cache.c): `rkt list` takes a pod's summary from the cache when
// the pod's UUID and directory inode match a valid record, else from the pod's own file, so
// that a missing, stale, cut or corrupt cache lists the same; gc keeps only the records of
// pods that remain. To see which source a pod was listed from, each test pod's own file is
// rewritten after its record was cached with another image name (which prepare never does).
import { afterEach, beforeEach, expect, test } from "bun:test";
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PodManifest } from "../../../src/appc";
import { garbageCollect } from "../../../src/pod/gc";
import { listPods } from "../../../src/pod/list";
import { cacheListSummary } from "../../../src/pod/list-cache";
import { encodeListSummary, LIST_SUMMARY_FILE } from "../../../src/pod/list-summary";
import type { Pod, PodDirState } from "../../../src/pod/pod";
import { tempDir } from "../../support/harness";
import { imageId, makePod, TestCleanups } from "./lifecycle-fixtures";

let data: { path: string; cleanup: () => void };
const cleanups = new TestCleanups();
beforeEach(() => (data = tempDir("rkt-list-cache-")));
afterEach(async () => {
  await cleanups.run();
  data.cleanup();
});

const CACHED = "example.com/cached";
const OWN = "example.com/own";

function cacheFile(): string {
  return join(data.path, "pods", "list-cache");
}

function summary(imageName: string): Buffer {
  const manifest = { acVersion: "0.6.1", acKind: "PodManifest", apps: [{ name: "app", image: { name: imageName, id: imageId("a") } }] } as PodManifest;
  return encodeListSummary(manifest, () => "");
}

/**
 * A pod whose summary is cached as prepare caches it, its own file then rewritten; returns
 * the pod and the cache's size after its record.
 */
async function cachedPod(dirState: PodDirState): Promise<{ pod: Pod; cacheEnd: number }> {
  const pod = makePod(data.path, { dirState });
  writeFileSync(join(pod.path, LIST_SUMMARY_FILE), summary(CACHED));
  await cacheListSummary(pod, summary(CACHED));
  writeFileSync(join(pod.path, LIST_SUMMARY_FILE), summary(OWN));
  return { pod, cacheEnd: statSync(cacheFile()).size };
}

/** The image name each listed pod shows, by UUID; fails on any problem line. */
async function listedImages(): Promise<Record<string, string>> {
  const { pods, problems } = await listPods(data.path);
  expect(problems).toEqual([]);
  return Object.fromEntries(pods.map((p) => [p.uuid, p.apps.map((a) => a.imageName).join(",")]));
}

test("a pod whose record matches is listed from the cache, even while locked; without the cache, from its own file", async () => {
  const prepared = (await cachedPod("prepared")).pod;
  const exited = (await cachedPod("exited-garbage")).pod;
  const running = (await cachedPod("run")).pod;
  await cleanups.lockFromChild(running.path);
  expect(await listedImages()).toEqual({ [prepared.uuid]: CACHED, [exited.uuid]: CACHED, [running.uuid]: CACHED });
  expect((await listPods(data.path)).pods.find((p) => p.uuid === running.uuid)!.state).toBe("running");
  rmSync(cacheFile());
  expect(await listedImages()).toEqual({ [prepared.uuid]: OWN, [exited.uuid]: OWN, [running.uuid]: OWN });
});

test("pods listed from the cache and from their files list alike: every state, apps, pods without a record or a summary", async () => {
  const made: Pod[] = [];
  for (const dirState of ["prepared", "run", "exited-garbage", "run"] as const) {
    const pod = makePod(data.path, { dirState, apps: [{ name: `app-${made.length}`, imageName: `example.com/image-${made.length}` }, { name: "second" }] });
    const own = encodeListSummary(JSON.parse(readFileSync(join(pod.path, "pod"), "utf8")), () => "example.com/stored");
    writeFileSync(join(pod.path, LIST_SUMMARY_FILE), own);
    await cacheListSummary(pod, own);
    made.push(pod);
  }
  await cleanups.lockFromChild(made[3]!.path);
  makePod(data.path, { dirState: "prepared" }); // listed from its manifest
  const uncached = makePod(data.path, { dirState: "run" });
  writeFileSync(join(uncached.path, LIST_SUMMARY_FILE), summary(OWN));
  const withCache = await listPods(data.path);
  expect(withCache.pods).toHaveLength(6);
  rmSync(cacheFile());
  expect(await listPods(data.path)).toEqual(withCache);
});

test("a record of another directory under the pod's UUID (a copied pod, a forged record) loses to the pod's own file", async () => {
  const original = (await cachedPod("prepared")).pod;
  // A directory under a new UUID with a record of its own, then moved aside (keeping its
  // inode taken) for a copy of the original pod under that UUID.
  const uuid = crypto.randomUUID();
  const copy = join(data.path, "pods", "prepared", uuid);
  mkdirSync(copy);
  await cacheListSummary({ dataDir: data.path, path: copy } as Pod, summary("example.com/forged"));
  renameSync(copy, join(data.path, "pods", "prepared", "moved-aside"));
  cpSync(original.path, copy, { recursive: true });
  expect(await listedImages()).toEqual({ [original.uuid]: CACHED, [uuid]: OWN });
});

test("a cache cut mid-record, with garbage after its records, or a corrupt record lists the rest from the pods' files", async () => {
  const first = await cachedPod("prepared");
  const second = await cachedPod("run");
  const third = await cachedPod("exited-garbage");
  const intact = readFileSync(cacheFile());
  const all = (a: string, b: string, c: string) => ({ [first.pod.uuid]: a, [second.pod.uuid]: b, [third.pod.uuid]: c });

  truncateSync(cacheFile(), third.cacheEnd - 5);
  expect(await listedImages()).toEqual(all(CACHED, CACHED, OWN));
  truncateSync(cacheFile(), second.cacheEnd + 20);
  expect(await listedImages()).toEqual(all(CACHED, CACHED, OWN));

  writeFileSync(cacheFile(), intact);
  appendFileSync(cacheFile(), Buffer.concat([Buffer.from("rlc1"), Buffer.alloc(200, 0xff)]));
  expect(await listedImages()).toEqual(all(CACHED, CACHED, CACHED));

  for (const at of [first.cacheEnd + 30, second.cacheEnd - 3]) {
    // A byte of the second record's UUID, then of its checksum: it and what follows are not taken.
    const corrupt = Buffer.from(intact);
    corrupt[at]! ^= 1;
    writeFileSync(cacheFile(), corrupt);
    expect(await listedImages()).toEqual(all(CACHED, OWN, OWN));
  }

  writeFileSync(cacheFile(), Buffer.alloc(0));
  expect(await listedImages()).toEqual(all(OWN, OWN, OWN));
});

test("a cache larger than its bound is not read", async () => {
  const { pod } = await cachedPod("prepared");
  appendFileSync(cacheFile(), Buffer.alloc(16 << 20));
  expect(await listedImages()).toEqual({ [pod.uuid]: OWN });
});

test("gc rewrites the cache with the records of the pods that remain, its garbage tail gone", async () => {
  const removed = await cachedPod("exited-garbage");
  const prepared = await cachedPod("prepared");
  const running = await cachedPod("run");
  await cleanups.lockFromChild(running.pod.path);
  const keptLength = running.cacheEnd - removed.cacheEnd;
  appendFileSync(cacheFile(), "garbage");
  const stderr: string[] = [];
  expect(await garbageCollect(data.path, { gracePeriodMs: 0, expirePreparedMs: 3_600_000, debug: false, output: { stdout: () => {}, stderr: (l) => stderr.push(l) } })).toBe(true);
  expect(existsSync(removed.pod.path)).toBe(false);
  expect(stderr.filter((line) => line.includes("list cache"))).toEqual([]);
  expect(statSync(cacheFile()).size).toBe(keptLength);
  expect(await listedImages()).toEqual({ [prepared.pod.uuid]: CACHED, [running.pod.uuid]: CACHED });
});

test("gc leaves a missing cache missing", async () => {
  makePod(data.path, { dirState: "prepared" });
  expect(await garbageCollect(data.path, { gracePeriodMs: 0, expirePreparedMs: 3_600_000, debug: false, output: { stdout: () => {}, stderr: () => {} } })).toBe(true);
  expect(existsSync(cacheFile())).toBe(false);
});

test("a cache that cannot be written or read (here a directory) fails no append and no list", async () => {
  mkdirSync(cacheFile(), { recursive: true });
  const { pod } = await cachedPod("prepared");
  expect(await listedImages()).toEqual({ [pod.uuid]: OWN });
});
