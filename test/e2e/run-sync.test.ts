// What `rkt run` and `rkt prepare` make durable with fsync, seen by strace on the real
// binary: run's pod is not kept across a crash (gc removes it from wherever it is), so its
// moves between state directories are not synced; prepare's pod waits in `prepared/`, so
// they are.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { rktBinary, tempDataDir, tempDir } from "../support/harness";
import { busyboxImage, collectPods, shellApp } from "./run-fixtures";

const work = tempDir("rkt-run-sync-images-");
const data = tempDataDir("rkt-run-sync-");
afterAll(() => {
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

/** The paths under `DATA/under/` that `rkt ARGS` fsyncs, in order, as strace -y names them. */
function syncedPaths(under: string, args: string[]): string[] {
  const trace = join(work.path, "trace");
  const traced = Bun.spawnSync(["strace", "-f", "-y", "-qq", "-e", "trace=fsync", "-o", trace, rktBinary, `--dir=${data.path}`, "--insecure-skip-verify", ...args], { stdout: "pipe", stderr: "pipe" });
  expect(traced.exitCode).toBe(0);
  const dir = join(data.path, under);
  return [...readFileSync(trace, "utf8").matchAll(/fsync\(\d+<([^>]+)>\)/g)].map((m) => m[1]!).filter((path) => path.startsWith(`${dir}/`)).map((path) => path.slice(dir.length + 1));
}

/** The directories under `pods/` that `rkt ARGS` fsyncs. */
function syncedPodStateDirs(args: string[]): string[] {
  return syncedPaths("pods", args);
}

describe("what run and prepare fsync", () => {
  const image = busyboxImage(work.path, "example.com/sync", shellApp("true"));

  test("rkt run syncs no move of its pod between state directories", () => {
    expect(syncedPodStateDirs(["run", "--mds-register=false", image])).toEqual([]);
  });

  test("rkt run of a stored image syncs nothing in the store: its use times are pod-use stamps, not index commits", () => {
    const fetched = Bun.spawnSync([rktBinary, `--dir=${data.path}`, "--insecure-skip-verify", "fetch", image], { stdout: "pipe", stderr: "pipe" });
    expect(fetched.exitCode).toBe(0);
    const id = fetched.stdout.toString().trim();
    // An index commit, even an unsynced one, made SQLite sync a new WAL's header and its
    // directory, and the closing checkpoint the WAL and the database.
    expect(syncedPaths("cas", ["run", "--mds-register=false", id])).toEqual([]);
  });

  test("rkt prepare syncs its pod's moves into prepare/ and prepared/", () => {
    expect(syncedPodStateDirs(["prepare", image])).toEqual(["prepare", "prepared"]);
  });
});
