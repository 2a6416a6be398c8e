// `rkt prepare` then `rkt run-prepared`.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rkt, rktBinary, tempDataDir, tempDir } from "../support/harness";
import { holdLock } from "../unit/pod/lifecycle-fixtures";
import { withStore } from "../../src/store";
import { appStatuses, busyboxImage, collectPods, podsIn, shellApp, waitFor } from "./run-fixtures";

const work = tempDir("rkt-prepare-images-");
const data = tempDataDir("rkt-prepare-");
afterAll(() => {
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

function mountsUnder(path: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((t) => t.startsWith(path));
}

/** Whether process `pid` waits for a file lock: its `->` line in /proc/locks. */
function waitsForFileLock(pid: number): boolean {
  return readFileSync("/proc/locks", "utf8")
    .split("\n")
    .some((line) => line.split(/\s+/)[1] === "->" && line.split(/\s+/)[5] === String(pid));
}

describe("rkt prepare and run-prepared", () => {
  test("prepare prints the UUID of a pod in prepared/ that holds no mounts; run-prepared runs it", () => {
    const image = busyboxImage(work.path, "example.com/prepared", shellApp('echo "prepared says $1"'));
    const prepared = rkt(data.path, ["--insecure-skip-verify", "prepare", image, "--", "hi"]);
    expect(prepared.exitCode).toBe(0);
    const uuid = prepared.stdout.trim();
    expect(prepared.stdout).toBe(`${uuid}\n`);
    expect(podsIn(data.path)).toEqual({ prepared: [uuid] });
    const podDir = join(data.path, "pods", "prepared", uuid);
    expect(JSON.parse(readFileSync(join(podDir, "pod"), "utf8")).apps[0].app.exec).toEqual(["/bin/sh", "-c", 'echo "prepared says $1"', "sh", "hi"]);
    expect(readFileSync(join(podDir, "stage1ID"), "utf8")).toMatch(/^sha512-[0-9a-f]{64}$/);
    expect(existsSync(join(podDir, "overlay-prepared"))).toBe(true);
    expect(mountsUnder(podDir)).toEqual([]);

    const ran = rkt(data.path, ["run-prepared", uuid.slice(0, 8)]);
    expect(ran.stdout).toBe("prepared says hi\n");
    expect(ran.exitCode).toBe(0);
    expect(podsIn(data.path)).toEqual({ run: [uuid] });
    expect(appStatuses(data.path, uuid)).toEqual({ prepared: 0 });

    const again = rkt(data.path, ["run-prepared", uuid]);
    expect(again.stderr).toBe(`run-prepared: pod "${uuid}" is not prepared\n`);
    expect(again.exitCode).toBe(1);
  });

  test("of two racing run-prepared, exactly one runs the pod", async () => {
    const image = busyboxImage(work.path, "example.com/raced", shellApp("echo ran-once"));
    const uuid = rkt(data.path, ["--insecure-skip-verify", "prepare", image]).stdout.trim();
    const racers = [0, 1].map(() => Bun.spawn([rktBinary, `--dir=${data.path}`, "run-prepared", "--mds-register=false", uuid], { stdout: "pipe", stderr: "pipe" }));
    const results = await Promise.all(racers.map(async (p) => ({ code: await p.exited, out: await new Response(p.stdout).text(), err: await new Response(p.stderr).text() })));
    const winners = results.filter((r) => r.code === 0);
    expect(winners.length).toBe(1);
    expect(winners[0]!.out).toBe("ran-once\n");
    const loser = results.find((r) => r.code !== 0)!;
    expect(loser.err).toMatch(/^run-prepared: (pod "[0-9a-f-]+" is not prepared|cannot transition to run: .*)\n$/);
  });

  /**
   * Holds `pods/` as an image removal does and starts `rkt prepare IMAGE` meanwhile; `during`
   * runs with the lock held, then the lock is released. Returns what prepare printed.
   */
  async function prepareDuringRemoval(image: string, during: (preparerPid: number) => Promise<void>) {
    mkdirSync(join(data.path, "pods"), { recursive: true });
    const removal = await holdLock(join(data.path, "pods"), "exclusive");
    try {
      const preparer = Bun.spawn([rktBinary, `--dir=${data.path}`, "--insecure-skip-verify", "prepare", image], { stdout: "pipe", stderr: "pipe" });
      await during(preparer.pid);
      await removal.release();
      return { exitCode: await preparer.exited, stdout: await new Response(preparer.stdout).text(), stderr: await new Response(preparer.stderr).text() };
    } finally {
      await removal.release();
    }
  }

  test("prepare waits while an image removal holds pods/, then prepares", async () => {
    const image = busyboxImage(work.path, "example.com/after-rm", shellApp("true"));
    const before = podsIn(data.path);
    const prepared = await prepareDuringRemoval(image, async () => {
      await Bun.sleep(500);
      expect(podsIn(data.path)).toEqual(before);
    });
    expect(prepared.exitCode).toBe(0);
    const uuid = prepared.stdout.trim();
    expect(rkt(data.path, ["status", uuid]).stdout).toBe("state=prepared\n");
    expect(rkt(data.path, ["rm", uuid]).exitCode).toBe(0);
  });

  test("an image removed after prepare chose it, before the pod claimed it, fails prepare with a one-line error and no pod", async () => {
    const image = busyboxImage(work.path, "example.com/removed-meanwhile", shellApp("true"));
    const before = podsIn(data.path);
    let key = "";
    // prepare imports the file without the lock, then waits to claim the image: remove it then.
    const prepared = await prepareDuringRemoval(image, async (preparerPid) => {
      await waitFor("prepare to wait for the pods/ lock", () => waitsForFileLock(preparerPid) || undefined);
      key = rkt(data.path, ["image", "list", "--no-legend", "--full", "--fields=key,appname"]).stdout.match(/^(sha512-[0-9a-f]+)\texample\.com\/removed-meanwhile\t?$/m)![1]!;
      expect(await withStore(data.path, (store) => store.removeImage(key))).toEqual([]);
    });
    expect(prepared).toMatchObject({ exitCode: 1, stderr: `prepare: image ${key} was removed while the pod was being prepared\n` });
    expect(podsIn(data.path)).toEqual(before);
  });

  test("an image named by ID and found in its rendered tree, removed before the pod claimed it, fails prepare the same way", async () => {
    const image = busyboxImage(work.path, "example.com/removed-by-id", shellApp("true"));
    const shortId = rkt(data.path, ["--insecure-skip-verify", "fetch", image]).stdout.trim();
    const key = rkt(data.path, ["image", "list", "--no-legend", "--full", "--fields=key"]).stdout.split("\n").find((line) => line.startsWith(shortId))!.trim();
    const before = podsIn(data.path);
    const prepared = await prepareDuringRemoval(shortId, async (preparerPid) => {
      await waitFor("prepare to wait for the pods/ lock", () => waitsForFileLock(preparerPid) || undefined);
      expect(await withStore(data.path, (store) => store.removeImage(key))).toEqual([]);
    });
    expect(prepared).toMatchObject({ exitCode: 1, stderr: `prepare: image ${key} was removed while the pod was being prepared\n` });
    expect(podsIn(data.path)).toEqual(before);
  });

  test("run-prepared --interactive refuses a pod of two apps and leaves it prepared", () => {
    const first = busyboxImage(work.path, "example.com/first", shellApp("echo first"));
    const second = busyboxImage(work.path, "example.com/second", shellApp("echo second"));
    const uuid = rkt(data.path, ["--insecure-skip-verify", "prepare", first, second]).stdout.trim();
    const refused = rkt(data.path, ["run-prepared", "--interactive", uuid]);
    expect(refused.stderr).toBe("run-prepared: interactive option only supports pods with one app\n");
    expect(refused.exitCode).toBe(1);
    expect(rkt(data.path, ["status", uuid]).stdout).toBe("state=prepared\n");
    expect(rkt(data.path, ["rm", uuid]).exitCode).toBe(0);
  });

  test("run-prepared on the host's network refuses a pod prepared with --port and leaves it prepared", () => {
    const image = busyboxImage(work.path, "example.com/ported", shellApp("true"));
    const uuid = rkt(data.path, ["--insecure-skip-verify", "prepare", "--port=http:18080", image]).stdout.trim();
    const refused = rkt(data.path, ["run-prepared", uuid]);
    expect(refused.stderr).toBe(`run-prepared: pod "${uuid}" was prepared with --port, which needs a private network: run it with --net or --private-net\n`);
    expect(refused.exitCode).toBe(1);
    expect(rkt(data.path, ["status", uuid]).stdout).toBe("state=prepared\n");
    expect(rkt(data.path, ["rm", uuid]).exitCode).toBe(0);
  });

  test("prepare refuses run-only flags and conflicting --pod-manifest use", () => {
    const before = podsIn(data.path);
    expect(rkt(data.path, ["prepare", "--interactive", "x"]).exitCode).toBe(2);
    const conflict = rkt(data.path, ["prepare", "--pod-manifest=/nonexistent", "--volume=a,kind=empty"]);
    expect(conflict.stderr).toBe("prepare: conflicting flags set with --pod-manifest (see --help)\n");
    expect(podsIn(data.path)).toEqual(before);
  });

  test("prepare --pod-manifest runs a hand-written manifest", () => {
    const image = busyboxImage(work.path, "example.com/from-manifest", shellApp("echo manifest-app"));
    const fetched = rkt(data.path, ["--insecure-skip-verify", "fetch", image]);
    expect(fetched.exitCode).toBe(0);
    const id = fetched.stdout.trim();
    const manifestFile = join(work.path, "pod.json");
    writeFileSync(manifestFile, JSON.stringify({ acKind: "PodManifest", acVersion: "0.6.1", apps: [{ name: "custom", image: { id } }] }));
    const prepared = rkt(data.path, ["prepare", `--pod-manifest=${manifestFile}`]);
    expect(prepared.exitCode).toBe(0);
    const uuid = prepared.stdout.trim();
    const podFile = JSON.parse(readFileSync(join(data.path, "pods", "prepared", uuid, "pod"), "utf8"));
    expect(podFile.apps[0].image.id).toMatch(new RegExp(`^${id}[0-9a-f]{32}$`));
    const ran = rkt(data.path, ["run-prepared", uuid]);
    expect(ran.stdout).toBe("manifest-app\n");
    expect(appStatuses(data.path, uuid)).toEqual({ custom: 0 });
  });
});
