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

/** The directories under `pods/` that `rkt ARGS` fsyncs, as strace -y names them. */
function syncedPodStateDirs(args: string[]): string[] {
  const trace = join(work.path, "trace");
  const traced = Bun.spawnSync(["strace", "-f", "-y", "-qq", "-e", "trace=fsync", "-o", trace, rktBinary, `--dir=${data.path}`, "--insecure-skip-verify", ...args], { stdout: "pipe", stderr: "pipe" });
  expect(traced.exitCode).toBe(0);
  const podsDir = join(data.path, "pods");
  return [...readFileSync(trace, "utf8").matchAll(/fsync\(\d+<([^>]+)>\)/g)].map((m) => m[1]!).filter((path) => path.startsWith(`${podsDir}/`)).map((path) => path.slice(podsDir.length + 1));
}

describe("fsync of pod state directories", () => {
  const image = busyboxImage(work.path, "example.com/sync", shellApp("true"));

  test("rkt run syncs no move of its pod between state directories", () => {
    expect(syncedPodStateDirs(["run", "--mds-register=false", image])).toEqual([]);
  });

  test("rkt prepare syncs its pod's moves into prepare/ and prepared/", () => {
    expect(syncedPodStateDirs(["prepare", image])).toEqual(["prepare", "prepared"]);
  });
});
