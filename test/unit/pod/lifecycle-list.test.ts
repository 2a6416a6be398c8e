import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PodManifest } from "../../../src/appc";
import { listPods } from "../../../src/pod/list";
import { encodeListSummary, LIST_SUMMARY_FILE } from "../../../src/pod/list-summary";
import { formatNetworks } from "../../../src/pod/pod-files";
import { Pod } from "../../../src/pod/pod";
import { tempDir } from "../../support/harness";
import { imageId, makePod, TestCleanups } from "./lifecycle-fixtures";

let data: { path: string; cleanup: () => void };
const cleanups = new TestCleanups();
beforeEach(() => (data = tempDir("rkt-lifecycle-")));
afterEach(async () => {
  await cleanups.run();
  data.cleanup();
});

test("lists one entry per pod with apps in manifest order and image names", async () => {
  const pod = makePod(data.path, {
    dirState: "prepared",
    apps: [
      { name: "redis", imageName: "redis" },
      { name: "etcd", imageName: "coreos.com/etcd" },
    ],
  });
  const { pods, problems } = await listPods(data.path);
  expect(problems).toEqual([]);
  expect(pods).toEqual([
    {
      uuid: pod.uuid,
      path: pod.path,
      state: "prepared",
      networks: [],
      apps: [
        { name: "redis", imageName: "redis", imageId: imageId("a") },
        { name: "etcd", imageName: "coreos.com/etcd", imageId: imageId("b") },
      ],
    },
  ]);
});

test("pods are sorted by UUID across state directories", async () => {
  const made = [
    makePod(data.path, { dirState: "prepared" }),
    makePod(data.path, { dirState: "run" }),
    makePod(data.path, { dirState: "exited-garbage" }),
    makePod(data.path, { dirState: "prepared" }),
  ];
  expect((await listPods(data.path)).pods.map((p) => p.uuid)).toEqual(made.map((p) => p.uuid).sort());
});

test("a pod caught in both prepared/ and run/ by a rename between two readdirs is one pod, in its later state", async () => {
  const pod = makePod(data.path, { dirState: "run" });
  // What two readdirs see when the rename lands between them.
  mkdirSync(join(data.path, "pods", "prepared", pod.uuid), { recursive: true });
  const seen = Pod.list(data.path).filter((p) => p.uuid === pod.uuid);
  expect(seen.map((p) => p.dirState)).toEqual(["run"]);
  expect(Pod.resolve(data.path, pod.uuid.slice(0, 8)).dirState).toBe("run");
  // The copy in prepared/ has no pod manifest: listing it would report a problem.
  expect(await listPods(data.path)).toEqual({ pods: [expect.objectContaining({ uuid: pod.uuid, state: "exited", path: pod.path })], problems: [] });
});

test("state mapping: exited run pod, running pod with networks, exited-garbage pod", async () => {
  const exited = makePod(data.path, { dirState: "run", netInfo: [{ netName: "default", ip: "172.16.28.7" }] });
  const running = makePod(data.path, { dirState: "run", netInfo: [{ netName: "default", ip: "172.16.28.7" }, { netName: "lan", ip: "10.1.1.2" }] });
  const marked = makePod(data.path, { dirState: "exited-garbage" });
  await cleanups.lockFromChild(running.path);
  const byUuid = new Map((await listPods(data.path)).pods.map((p) => [p.uuid, p]));
  expect(byUuid.get(exited.uuid)).toMatchObject({ state: "exited", networks: [] });
  expect(byUuid.get(running.uuid)!.state).toBe("running");
  expect(formatNetworks(byUuid.get(running.uuid)!.networks)).toBe("default:ip4=172.16.28.7, lan:ip4=10.1.1.2");
  expect(byUuid.get(marked.uuid)).toMatchObject({ state: "exited" });
});

test("aborted prepares and pods being deleted are listed without apps, their manifests not read", async () => {
  const aborted = Pod.create(data.path);
  aborted.releaseLock();
  const deleting = makePod(data.path, { dirState: "exited-garbage", manifestText: "not json" });
  await cleanups.lockFromChild(deleting.path);
  const { pods, problems } = await listPods(data.path);
  expect(problems).toEqual([]);
  const byUuid = new Map(pods.map((p) => [p.uuid, p]));
  expect(byUuid.get(aborted.uuid)).toMatchObject({ state: "aborted prepare", apps: [] });
  expect(byUuid.get(deleting.uuid)).toMatchObject({ state: "deleting", apps: [] });
});

test("a pod being prepared by another process shows as preparing", async () => {
  const pod = Pod.create(data.path);
  pod.releaseLock();
  await cleanups.lockFromChild(pod.path);
  expect((await listPods(data.path)).pods).toEqual([{ uuid: pod.uuid, path: pod.path, state: "preparing", networks: [], apps: [] }]);
});

test("an unreadable pod is reported and skipped, the others still listed", async () => {
  const broken = makePod(data.path, { dirState: "prepared" });
  rmSync(join(broken.path, "pod"));
  const good = makePod(data.path, { dirState: "prepared" });
  const { pods, problems } = await listPods(data.path);
  expect(pods.map((p) => p.uuid)).toEqual([good.uuid]);
  expect(problems).toHaveLength(1);
  expect(problems[0]).toStartWith("Unable to read pod manifest: ");
});

test("an app without an image name in the pod manifest takes it from the stored image manifest", async () => {
  const id = imageId("e");
  makePod(data.path, { dirState: "prepared", apps: [{ name: "web", imageId: id }] });
  const manifestDir = join(data.path, "cas", "imageManifest", "sha512", "ee");
  mkdirSync(manifestDir, { recursive: true });
  writeFileSync(join(manifestDir, "sha512-" + "e".repeat(64)), JSON.stringify({ name: "example.com/web" }));
  expect((await listPods(data.path)).pods[0]!.apps).toEqual([{ name: "web", imageName: "example.com/web", imageId: id }]);
});

/** Writes the pod's list summary as prepare does, from `apps`. */
function writeSummary(pod: Pod, apps: { name: string; image: { name?: string; id: string } }[]): void {
  const manifest = { acVersion: "0.6.1", acKind: "PodManifest", apps } as PodManifest;
  writeFileSync(join(pod.path, LIST_SUMMARY_FILE), encodeListSummary(manifest, () => "example.com/stored"));
}

test("a pod with a list summary is listed from it as from its manifest, without reading the manifest", async () => {
  const apps = [
    { name: "redis", image: { name: "redis", id: imageId("a") } },
    { name: "etcd", image: { id: imageId("b") } },
  ];
  const pod = makePod(data.path, { dirState: "prepared", manifestText: "not json" });
  writeSummary(pod, apps);
  expect(await listPods(data.path)).toEqual({
    pods: [
      {
        uuid: pod.uuid,
        path: pod.path,
        state: "prepared",
        networks: [],
        apps: [
          { name: "redis", imageName: "redis", imageId: imageId("a") },
          { name: "etcd", imageName: "example.com/stored", imageId: imageId("b") },
        ],
      },
    ],
    problems: [],
  });
});

test("a malformed or oversized list summary is reported and its pod skipped, the others still listed", async () => {
  const truncated = makePod(data.path, { dirState: "prepared" });
  writeFileSync(join(truncated.path, LIST_SUMMARY_FILE), "web\0example.com/web\0sha512-");
  const huge = makePod(data.path, { dirState: "run" });
  writeFileSync(join(huge.path, LIST_SUMMARY_FILE), Buffer.alloc(1 << 20, "a"));
  const good = makePod(data.path, { dirState: "prepared" });
  writeSummary(good, [{ name: "app", image: { name: "example.com/app", id: imageId("a") } }]);
  const { pods, problems } = await listPods(data.path);
  expect(pods.map((p) => p.uuid)).toEqual([good.uuid]);
  expect(problems).toHaveLength(2);
  expect(problems).toContain(`Unable to read pod list summary: ${join(truncated.path, LIST_SUMMARY_FILE)}: the last field has no NUL terminator`);
  expect(problems).toContain(`Unable to read pod list summary: open ${join(huge.path, LIST_SUMMARY_FILE)}: EFBIG`);
});
