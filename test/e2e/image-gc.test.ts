// `rkt image gc` through dist/rkt with real pods holding images: prepared, running, exited.
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { rkt, tempDataDir, tempDir } from "../support/harness";
import { TestCleanups } from "../unit/pod/lifecycle-fixtures";
import { busyboxImage, collectPods, shellApp, spawnRkt, waitFor } from "./run-fixtures";

const work = tempDir("rkt-image-gc-");
const image = (name: string, script: string) => busyboxImage(work.path, name, shellApp(script));
let data: { path: string; cleanup: () => void };
const cleanups = new TestCleanups();
let images: Record<"prepared" | "running" | "exited" | "unused", string>;

beforeAll(() => {
  images = {
    prepared: image("example.com/gc-prepared", "true"),
    running: image("example.com/gc-running", "exec sleep 1000"),
    exited: image("example.com/gc-exited", "true"),
    unused: image("example.com/gc-unused", "true"),
  };
});
afterAll(() => work.cleanup());
beforeEach(() => (data = tempDataDir("rkt-image-gc-data-")));
afterEach(async () => {
  await cleanups.run();
  collectPods(data.path);
  data.cleanup();
});

/** The store's image names, sorted. */
function storedNames(): string[] {
  const listed = rkt(data.path, ["image", "list", "--no-legend", "--fields=appname"]);
  return listed.stdout.split("\n").map((line) => line.trim()).filter(Boolean).sort();
}

/** The store key of the one image whose name contains `name`. */
function keyOf(name: string): string {
  const listed = rkt(data.path, ["image", "list", "--no-legend", "--fields=key,appname"]).stdout.split("\n");
  return listed.find((line) => line.includes(name))!.trim().split(/\s+/)[0]!;
}

function imageGc(gracePeriod?: string) {
  return rkt(data.path, ["image", "gc", ...(gracePeriod ? [`--grace-period=${gracePeriod}`] : [])]);
}

test("removes only the images no pod holds, with their trees, once their grace period is over; an exited pod holds its images until gc removes it", async () => {
  const fetched = rkt(data.path, ["--insecure-skip-verify", "fetch", images.unused]);
  expect(fetched.exitCode).toBe(0);
  const unusedKey = keyOf("gc-unused");
  expect(existsSync(join(data.path, "cas/tree", unusedKey, "rendered"))).toBe(true);
  expect(rkt(data.path, ["--insecure-skip-verify", "prepare", images.prepared]).exitCode).toBe(0);
  expect(rkt(data.path, ["--insecure-skip-verify", "run", images.exited]).exitCode).toBe(0);
  const uuidFile = join(work.path, `running-uuid-${Date.now()}`);
  const running = spawnRkt(data.path, ["--insecure-skip-verify", "run", `--uuid-file-save=${uuidFile}`, images.running]);
  cleanups.add(async () => {
    running.kill("SIGKILL");
    await running.exited;
  });
  await waitFor("the pod to start", () => {
    if (!existsSync(uuidFile)) return undefined;
    return rkt(data.path, ["status", readFileSync(uuidFile, "utf8").trim()]).stdout.includes("pid=") ? true : undefined;
  });
  const everything = ["coreos.com/rkt/stage1", "example.com/gc-exited", "example.com/gc-prepared", "example.com/gc-running", "example.com/gc-unused"];
  expect(storedNames().map((n) => n.split(":")[0])).toEqual(everything);

  // Within the default grace period (24h) every image stays.
  expect(imageGc()).toEqual({ exitCode: 0, stdout: "", stderr: "" });
  expect(storedNames().map((n) => n.split(":")[0])).toEqual(everything);

  // Without one, only the image no pod holds goes, with its tree.
  const collected = imageGc("0s");
  expect(collected.exitCode).toBe(0);
  expect(collected.stdout).toBe(`rkt: successfully removed aci for imageID: "${unusedKey}"\n`);
  expect(storedNames().map((n) => n.split(":")[0])).toEqual(everything.filter((n) => n !== "example.com/gc-unused"));
  expect(existsSync(join(data.path, "cas/tree", unusedKey))).toBe(false);

  // Once `rkt gc` has removed the exited pod, its image goes too.
  collectPods(data.path);
  expect(imageGc("0s").exitCode).toBe(0);
  expect(storedNames().map((n) => n.split(":")[0])).toEqual(["coreos.com/rkt/stage1", "example.com/gc-prepared", "example.com/gc-running"]);
});

/**
 * importtime and last use (ms) by image name: the index's lastusedtime, or the mtime of the
 * image's pod-use stamp (`cas/podused/<key>`) when later.
 */
function useTimes(): Record<string, { importtime: number; lastused: number }> {
  const db = new Database(join(data.path, "cas/db/store.sqlite"), { readonly: true });
  try {
    const rows = db.query<{ blobkey: string; appname: string; importtime: number; lastusedtime: number }, []>("SELECT blobkey, appname, importtime, lastusedtime FROM aciinfo").all();
    const chosen = (key: string) => {
      const stamp = join(data.path, "cas/podused", key);
      return existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
    };
    return Object.fromEntries(rows.map((r) => [r.appname, { importtime: r.importtime, lastused: Math.max(r.lastusedtime, chosen(r.blobkey)) }]));
  } finally {
    db.close();
  }
}

/** What a write to the store's index changes: the database file's mtime and the WAL's size. */
function indexFileState(): { dbModified: number; walSize: number } {
  return { dbModified: statSync(join(data.path, "cas/db/store.sqlite")).mtimeMs, walSize: statSync(join(data.path, "cas/db/store.sqlite-wal")).size };
}

test("a pod's start counts as a use of its app image and of its stage1, both already stored, and writes nothing to the index", () => {
  expect(rkt(data.path, ["--insecure-skip-verify", "run", images.exited]).exitCode).toBe(0);
  const first = useTimes();
  const key = keyOf("gc-exited");
  const indexBefore = indexFileState();
  expect(rkt(data.path, ["--insecure-skip-verify", "run", key]).exitCode).toBe(0);
  expect(indexFileState()).toEqual(indexBefore);
  const second = useTimes();
  for (const name of ["example.com/gc-exited", "coreos.com/rkt/stage1"]) {
    expect(second[name]!.importtime).toBe(first[name]!.importtime);
    expect(second[name]!.lastused).toBeGreaterThan(first[name]!.lastused);
  }
});

test("a fetch of an image already stored counts as a use", () => {
  expect(rkt(data.path, ["--insecure-skip-verify", "fetch", images.unused]).exitCode).toBe(0);
  const first = useTimes()["example.com/gc-unused"]!;
  expect(rkt(data.path, ["fetch", keyOf("gc-unused")]).exitCode).toBe(0);
  const second = useTimes()["example.com/gc-unused"]!;
  expect(second.importtime).toBe(first.importtime);
  expect(second.lastused).toBeGreaterThan(first.lastused);
});

test("a tree left without its image is removed, whatever the grace period", () => {
  expect(rkt(data.path, ["--insecure-skip-verify", "fetch", images.unused]).exitCode).toBe(0);
  const orphan = join(data.path, "cas/tree", "sha512-" + "a".repeat(64));
  mkdirSync(join(orphan, "rootfs/etc"), { recursive: true });
  const collected = imageGc();
  expect(collected).toEqual({ exitCode: 0, stdout: "", stderr: `rkt: removed tree "sha512-${"a".repeat(64)}"\n` });
  expect(existsSync(orphan)).toBe(false);
  expect(existsSync(join(data.path, "cas/tree", keyOf("gc-unused"), "rendered"))).toBe(true);
});

test("a bad --grace-period is a usage error", () => {
  const result = imageGc("soon");
  expect(result.exitCode).toBe(2);
  expect(result.stderr).toContain("--grace-period");
});
