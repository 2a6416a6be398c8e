import { afterEach, beforeEach, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { Pod } from "../../../src/pod/pod";
import { podStatus, waitPodExited } from "../../../src/pod/status";
import { tempDir } from "../../support/harness";
import { makePod, TestCleanups } from "./lifecycle-fixtures";

let data: { path: string; cleanup: () => void };
const cleanups = new TestCleanups();
beforeEach(() => (data = tempDir("rkt-lifecycle-")));
afterEach(async () => {
  await cleanups.run();
  data.cleanup();
});

test("an exited pod reports pid -1, exited=true and app statuses in manifest order", () => {
  const pod = makePod(data.path, {
    dirState: "run",
    apps: [{ name: "zeta" }, { name: "alpha" }, { name: "never-started" }],
    statuses: { zeta: "3\n", alpha: "0\n" },
    pid: 4242,
  });
  const status = podStatus(pod);
  expect(status).toEqual({ state: "exited", pid: -1, exited: true, appStatuses: new Map([["zeta", 3], ["alpha", 0]]) });
  expect([...status.appStatuses.keys()]).toEqual(["zeta", "alpha"]);
});

test("with overlay the statuses come from the stage1 overlay's upper directory", () => {
  const pod = makePod(data.path, { dirState: "exited-garbage", overlay: true, apps: [{ name: "web" }], statuses: { web: "137\n" } });
  expect(podStatus(pod).appStatuses).toEqual(new Map([["web", 137]]));
});

test("a running pod reports its networks, its pid and exited=false", async () => {
  const pod = makePod(data.path, { dirState: "run", netInfo: [{ netName: "default", ip: "172.16.28.7" }] });
  const holder = await cleanups.lockFromChild(pod.path);
  writeFileSync(`${pod.path}/pid`, `${holder.pid}\n`);
  expect(podStatus(pod)).toEqual({
    state: "running",
    networks: "default:ip4=172.16.28.7",
    pid: holder.pid,
    exited: false,
    appStatuses: new Map(),
  });
});

test("a running pod that published only ppid reports the single child of that process", async () => {
  const pod = makePod(data.path, { dirState: "run" });
  const holder = await cleanups.lockFromChild(pod.path);
  // A shell with exactly one child plays stage1's parent process.
  const parent = Bun.spawn(["sh", "-c", "sleep 1000 & echo $!; wait"], { stdout: "pipe" });
  cleanups.add(async () => {
    Bun.spawnSync(["pkill", "-P", String(parent.pid)]);
    parent.kill();
    await parent.exited;
  });
  const reader = parent.stdout.getReader();
  const child = Number(new TextDecoder().decode((await reader.read()).value).trim());
  reader.releaseLock();
  writeFileSync(`${pod.path}/ppid`, `${parent.pid}\n`);
  expect(podStatus(pod).pid).toBe(child);
});

test("prepared, aborted and garbage pods report only their state", () => {
  expect(podStatus(makePod(data.path, { dirState: "prepared" }))).toEqual({ state: "prepared", appStatuses: new Map() });
  expect(podStatus(makePod(data.path, { dirState: "garbage" }))).toEqual({ state: "garbage", appStatuses: new Map() });
  const aborted = Pod.create(data.path);
  aborted.releaseLock();
  expect(podStatus(aborted)).toEqual({ state: "aborted prepare", appStatuses: new Map() });
});

test("waiting returns at once for an exited pod", () => {
  const pod = makePod(data.path, { dirState: "run" });
  expect(waitPodExited(pod.uuid, data.path).dirState).toBe("run");
});

test("waiting on a running pod returns once its lock is released", async () => {
  const pod = makePod(data.path, { dirState: "run", apps: [{ name: "app" }] });
  const holder = await cleanups.lockFromChild(pod.path);
  const waiter = Bun.spawn(
    [process.execPath, "-e", `const { waitPodExited } = await import(${JSON.stringify(import.meta.dir + "/../../../src/pod/status")}); waitPodExited(${JSON.stringify(pod.uuid)}, ${JSON.stringify(data.path)}); console.log("done");`],
    { stdout: "pipe" },
  );
  cleanups.add(async () => {
    waiter.kill();
    await waiter.exited;
  });
  await holder.release();
  expect(await new Response(waiter.stdout).text()).toBe("done\n");
});
