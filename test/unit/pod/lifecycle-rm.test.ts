import { afterEach, beforeEach, expect, test } from "bun:test";
import { Pod } from "../../../src/pod/pod";
import { removePod } from "../../../src/pod/rm";
import { tempDir } from "../../support/harness";
import { makePod, TestCleanups } from "./lifecycle-fixtures";

let data: { path: string; cleanup: () => void };
const cleanups = new TestCleanups();
let out: { stdout: string[]; stderr: string[] };
beforeEach(() => {
  data = tempDir("rkt-lifecycle-");
  out = { stdout: [], stderr: [] };
});
afterEach(async () => {
  await cleanups.run();
  data.cleanup();
});

function rm(pod: Pod): void {
  removePod(pod, { debug: false, output: { stdout: (l) => out.stdout.push(l), stderr: (l) => out.stderr.push(l) } });
}

function exists(pod: Pod): boolean {
  try {
    Pod.load(data.path, pod.uuid);
    return true;
  } catch {
    return false;
  }
}

test("a running pod is refused", async () => {
  const pod = makePod(data.path, { dirState: "run" });
  await cleanups.lockFromChild(pod.path);
  expect(() => rm(pod)).toThrow(`Pod "${pod.uuid}" is currently running: stop it first ('rkt stop ${pod.uuid}')`);
  expect(Pod.load(data.path, pod.uuid).dirState).toBe("run");
});

test("a pod being prepared is refused", async () => {
  const pod = Pod.create(data.path);
  pod.releaseLock();
  await cleanups.lockFromChild(pod.path);
  expect(() => rm(pod)).toThrow(`Pod "${pod.uuid}" is currently being prepared`);
  expect(exists(pod)).toBe(true);
});

test("a pod being deleted is refused", async () => {
  const pod = makePod(data.path, { dirState: "exited-garbage" });
  await cleanups.lockFromChild(pod.path);
  expect(() => rm(pod)).toThrow(`Pod "${pod.uuid}" is currently being deleted`);
  expect(exists(pod)).toBe(true);
});

test("an exited pod is moved to exited-garbage with gc's message, then deleted at once", () => {
  const pod = makePod(data.path, { dirState: "run" });
  rm(pod);
  expect(exists(pod)).toBe(false);
  expect(out.stderr[0]).toBe(`Moving pod "${pod.uuid}" to garbage`);
  expect(out.stdout).toEqual([`Garbage collecting pod "${pod.uuid}"`]);
});

test("a pod whose stage1 is gone is still deleted, with a warning", () => {
  const pod = makePod(data.path, { dirState: "exited-garbage" });
  rm(pod);
  expect(exists(pod)).toBe(false);
  expect(out.stderr).toEqual([`Stage1 GC of pod "${pod.uuid}" skipped: stage1 sha512-${"5".repeat(64)} is neither in the store nor in the pod`]);
});

test("prepared and failed-prepare pods go through garbage with gc's messages", () => {
  const prepared = makePod(data.path, { dirState: "prepared" });
  const aborted = Pod.create(data.path);
  aborted.releaseLock();
  rm(prepared);
  rm(aborted);
  expect(exists(prepared)).toBe(false);
  expect(exists(aborted)).toBe(false);
  expect(out.stderr).toEqual([
    `Moving expired prepared pod "${prepared.uuid}" to garbage`,
    `Moving failed prepare "${aborted.uuid}" to garbage`,
  ]);
});
