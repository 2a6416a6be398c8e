import { afterEach, beforeEach, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { garbageCollect, type GcOptions } from "../../../src/pod/gc";
import { mountsBelow } from "../../../src/pod/mounts";
import { Pod } from "../../../src/pod/pod";
import { tempDir } from "../../support/harness";
import { makePod, STAGE1_KEY, TestCleanups } from "./lifecycle-fixtures";

let data: { path: string; cleanup: () => void };
let outside: { path: string; cleanup: () => void };
const cleanups = new TestCleanups();
let out: { stdout: string[]; stderr: string[] };

beforeEach(() => {
  data = tempDir("rkt-lifecycle-");
  outside = tempDir("rkt-lifecycle-outside-");
  out = { stdout: [], stderr: [] };
});
afterEach(async () => {
  await cleanups.run();
  for (const point of mountsBelow(data.path)) Bun.spawnSync(["umount", "-l", point]);
  data.cleanup();
  outside.cleanup();
});

const HOUR = 3_600_000;

function gc(opts: Partial<GcOptions> = {}): Promise<boolean> {
  return garbageCollect(data.path, {
    gracePeriodMs: 30 * 60_000,
    expirePreparedMs: 24 * HOUR,
    debug: false,
    output: { stdout: (l) => out.stdout.push(l), stderr: (l) => out.stderr.push(l) },
    ...opts,
  });
}

function where(pod: Pod): string | undefined {
  try {
    return Pod.load(data.path, pod.uuid).dirState;
  } catch {
    return undefined;
  }
}

/** A stage1 tree in the store whose gc entrypoint is a shell script. */
function fakeStage1Gc(script: string, annotation?: string): void {
  const tree = join(data.path, "cas", "tree", STAGE1_KEY);
  const entry = annotation ?? "/gc";
  mkdirSync(dirname(join(tree, "rootfs", entry)), { recursive: true });
  const manifest = { acKind: "ImageManifest", name: "coreos.com/rkt/stage1", annotations: annotation ? [{ name: "coreos.com/rkt/stage1/gc", value: annotation }] : [] };
  writeFileSync(join(tree, "manifest"), JSON.stringify(manifest));
  writeFileSync(join(tree, "rootfs", entry), `#!/bin/sh\n${script}\n`);
  chmodSync(join(tree, "rootfs", entry), 0o755);
}

test("exited pods are marked, running pods are left alone", async () => {
  const exited = makePod(data.path, { dirState: "run" });
  const running = makePod(data.path, { dirState: "run" });
  await cleanups.lockFromChild(running.path);
  expect(await gc()).toBe(true);
  expect(where(exited)).toBe("exited-garbage");
  expect(where(running)).toBe("run");
  expect(out.stderr).toEqual([`Moving pod "${exited.uuid}" to garbage`]);
  expect(out.stdout).toEqual([]);
});

test("entries under pods/ that are not named by a UUID are not pods: gc leaves them alone", async () => {
  const foreign = join(data.path, "pods", "run", "not-a-pod");
  mkdirSync(join(foreign, "data"), { recursive: true });
  await gc({ gracePeriodMs: 0 });
  expect(existsSync(join(foreign, "data"))).toBe(true);
  expect(out.stderr).toEqual([]);
  expect(out.stdout).toEqual([]);
});

test("failed prepares go to garbage and are deleted in the same run; pods being prepared stay", async () => {
  const aborted = Pod.create(data.path);
  aborted.releaseLock();
  const preparing = Pod.create(data.path);
  preparing.releaseLock();
  await cleanups.lockFromChild(preparing.path);
  await gc();
  expect(where(aborted)).toBeUndefined();
  expect(where(preparing)).toBe("prepare");
  expect(out.stderr).toEqual([`Moving failed prepare "${aborted.uuid}" to garbage`]);
  expect(out.stdout).toEqual([`Garbage collecting pod "${aborted.uuid}"`]);
});

test("prepared pods expire after --expire-prepared, counted from the directory ctime", async () => {
  const pod = makePod(data.path, { dirState: "prepared" });
  await gc();
  expect(where(pod)).toBe("prepared");
  await gc({ expirePreparedMs: 0 });
  expect(where(pod)).toBeUndefined();
  expect(out.stderr).toEqual([`Moving expired prepared pod "${pod.uuid}" to garbage`]);
  expect(out.stdout).toEqual([`Garbage collecting pod "${pod.uuid}"`]);
});

test("a marked pod is deleted only once the grace period is over: two gc runs", async () => {
  fakeStage1Gc("exit 0");
  const pod = makePod(data.path, { dirState: "run" });
  await gc();
  expect(where(pod)).toBe("exited-garbage");
  await gc();
  expect(where(pod)).toBe("exited-garbage");
  await gc({ gracePeriodMs: 0 });
  expect(where(pod)).toBeUndefined();
  expect(out.stdout).toEqual([`Garbage collecting pod "${pod.uuid}"`]);
});

test("pods locked by someone else are skipped silently", async () => {
  const busy = makePod(data.path, { dirState: "garbage" });
  const free = makePod(data.path, { dirState: "garbage" });
  await cleanups.lockFromChild(busy.path);
  expect(await gc()).toBe(true);
  expect(where(busy)).toBe("garbage");
  expect(where(free)).toBeUndefined();
  expect(out.stdout).toEqual([`Garbage collecting pod "${free.uuid}"`]);
  expect(out.stderr).toEqual([]);
});

test("the stage1 gc entrypoint runs in the pod directory with [--debug] UUID", async () => {
  const record = join(outside.path, "gc-calls");
  fakeStage1Gc(`echo "$PWD $*" >> ${record}`, "/bin/stage1-gc");
  const pod = makePod(data.path, { dirState: "exited-garbage" });
  const podPath = pod.path;
  await gc({ gracePeriodMs: 0, debug: true });
  expect(readFileSync(record, "utf8")).toBe(`${podPath} --debug ${pod.uuid}\n`);
  expect(where(pod)).toBeUndefined();
});

test("never-run pods are removed without the stage1 gc", async () => {
  const record = join(outside.path, "gc-calls");
  fakeStage1Gc(`echo called >> ${record}`);
  const pod = makePod(data.path, { dirState: "garbage" });
  await gc();
  expect(where(pod)).toBeUndefined();
  expect(existsSync(record)).toBe(false);
});

test("a failing stage1 gc keeps that pod for the next gc, the others are still collected, and gc fails", async () => {
  fakeStage1Gc('[ -e keep ] && exit 3; exit 0');
  const failing = makePod(data.path, { dirState: "exited-garbage" });
  writeFileSync(join(failing.path, "keep"), "");
  const fine = makePod(data.path, { dirState: "exited-garbage" });
  expect(await gc({ gracePeriodMs: 0 })).toBe(false);
  expect(where(failing)).toBe("exited-garbage");
  expect(where(fine)).toBeUndefined();
  expect(out.stderr).toEqual([`Stage1 GC of pod "${failing.uuid}" failed: exit status 3`]);
});

test("mounts below the pod are taken down and the mounted sources are never deleted", async () => {
  const source = join(outside.path, "source");
  mkdirSync(source);
  writeFileSync(join(source, "precious"), "keep me");
  const pod = makePod(data.path, { dirState: "garbage" });
  const tmpfsPoint = join(pod.path, "stage1", "rootfs");
  const bindPoint = join(pod.path, "stage1", "rootfs", "opt", "stage2", "app", "rootfs");
  expect(Bun.spawnSync(["mount", "-t", "tmpfs", "tmpfs", tmpfsPoint]).exitCode).toBe(0);
  mkdirSync(bindPoint, { recursive: true });
  expect(Bun.spawnSync(["mount", "--bind", source, bindPoint]).exitCode).toBe(0);
  expect(mountsBelow(pod.path)).toEqual([bindPoint, tmpfsPoint]);
  await gc();
  expect(out.stderr).toEqual([]);
  expect(where(pod)).toBeUndefined();
  expect(mountsBelow(data.path)).toEqual([]);
  expect(readFileSync(join(source, "precious"), "utf8")).toBe("keep me");
});

test("symlinks inside the pod are removed, never followed", async () => {
  writeFileSync(join(outside.path, "precious"), "keep me");
  const pod = makePod(data.path, { dirState: "garbage" });
  symlinkSync(outside.path, join(pod.path, "escape"));
  symlinkSync(join(outside.path, "precious"), join(pod.path, "file-link"));
  await gc();
  expect(where(pod)).toBeUndefined();
  expect(readFileSync(join(outside.path, "precious"), "utf8")).toBe("keep me");
});

test("a pods directory that cannot be listed makes gc fail after the other steps", async () => {
  const pod = makePod(data.path, { dirState: "garbage" });
  rmSync(join(data.path, "pods", "prepared"), { recursive: true });
  writeFileSync(join(data.path, "pods", "prepared"), "not a directory");
  expect(await gc()).toBe(false);
  expect(out.stderr[0]).toStartWith("Unable to list pods in prepared: ");
  expect(where(pod)).toBeUndefined();
});

test("a pod that cannot be removed is reported by UUID, the others are still collected, and gc fails", async () => {
  const stuck = makePod(data.path, { dirState: "garbage" });
  const immutable = join(stuck.path, "immutable");
  writeFileSync(immutable, "");
  expect(Bun.spawnSync(["chattr", "+i", immutable]).exitCode).toBe(0);
  cleanups.add(() => void Bun.spawnSync(["chattr", "-i", immutable]));
  const fine = makePod(data.path, { dirState: "garbage" });
  expect(await gc()).toBe(false);
  expect(where(fine)).toBeUndefined();
  expect(where(stuck)).toBe("garbage");
  expect(out.stderr).toHaveLength(1);
  expect(out.stderr[0]).toStartWith(`Unable to remove pod "${stuck.uuid}": `);
});
