// `--format=json` and `--format=json-pretty` of list, status and image list through the built
// binary, on real pods: the fields of rkt 1.x's api/v1 that docs/json-output.md documents.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rkt, tempDataDir, tempDir } from "../support/harness";
import { busyboxImage, collectPods, shellApp, spawnRkt, waitFor } from "./run-fixtures";

const work = tempDir("rkt-json-images-");
const data = tempDataDir("rkt-json-");
const started: ReturnType<typeof spawnRkt>[] = [];
afterAll(async () => {
  for (const proc of started) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

const quick = busyboxImage(work.path, "example.com/quick", shellApp("exit 3"));
const sleeper = busyboxImage(work.path, "example.com/sleeper", shellApp("exec sleep 1000"));

function json(args: string[]): unknown {
  const result = rkt(data.path, args);
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toEndWith("\n");
  return JSON.parse(result.stdout);
}

/** The pod's object in `rkt list --format=json`. */
function listed(uuid: string): unknown {
  return (json(["list", "--format=json"]) as { name: string }[]).find((p) => p.name === uuid);
}

const imageId = expect.stringMatching(/^sha512-[0-9a-f]{64}/);
const seconds = expect.any(Number);

describe("rkt status and rkt list --format=json", () => {
  test("a prepared pod: its apps are created, with a creation time and no start", () => {
    const prepared = rkt(data.path, ["--insecure-skip-verify", "prepare", quick]);
    expect(prepared.exitCode).toBe(0);
    const uuid = prepared.stdout.trim();
    const status = json(["status", "--format=json", uuid]) as Record<string, unknown>;
    expect(status).toEqual({
      name: uuid,
      state: "prepared",
      app_names: ["quick"],
      apps: [{ name: "quick", state: "created", created_at: expect.any(Number), image_id: imageId }],
      created_at: seconds,
    });
    expect(Math.abs((status.created_at as number) - Date.now() / 1000)).toBeLessThan(3600);
    expect(listed(uuid)).toEqual(status);
  });

  test("a pod is listed from the list cache, its list summary or its manifest alike, in the table and in JSON", () => {
    const prepared = rkt(data.path, ["--insecure-skip-verify", "prepare", quick]);
    expect(prepared.exitCode).toBe(0);
    const summary = join(data.path, "pods", "prepared", prepared.stdout.trim(), "list-summary");
    const cache = join(data.path, "pods", "list-cache");
    const table = rkt(data.path, ["list", "--full"]);
    const listedJson = json(["list", "--format=json"]);
    // The record prepare cached is read, not the pod's summary (rewritten here, which prepare never does).
    const own = readFileSync(summary);
    writeFileSync(summary, own.toString().replace("example.com/quick", "example.com/rewritten"));
    expect(rkt(data.path, ["list", "--full"])).toEqual(table);
    rmSync(cache);
    expect(rkt(data.path, ["list", "--full"]).stdout).toContain("example.com/rewritten");
    writeFileSync(summary, own);
    expect(rkt(data.path, ["list", "--full"])).toEqual(table);
    expect(json(["list", "--format=json"])).toEqual(listedJson);
    rmSync(summary);
    expect(rkt(data.path, ["list", "--full"])).toEqual(table);
    expect(json(["list", "--format=json"])).toEqual(listedJson);
  });

  test("a running pod on a private network has networks[].ip; once exited, its apps' exit codes", async () => {
    const uuidFile = join(work.path, "running-uuid");
    const proc = spawnRkt(data.path, ["--insecure-skip-verify", "run", "--mds-register=false", "--private-net=default-restricted", `--uuid-file-save=${uuidFile}`, sleeper]);
    started.push(proc);
    const uuid = await waitFor("the pod to run", () => {
      if (!existsSync(uuidFile)) return undefined;
      const id = readFileSync(uuidFile, "utf8").trim();
      return rkt(data.path, ["status", id]).stdout.includes("pid=") ? id : undefined;
    });
    const running = json(["status", "--format=json", uuid]) as Record<string, unknown>;
    expect(running).toEqual({
      name: uuid,
      state: "running",
      networks: [
        {
          netName: "default-restricted",
          netConf: join(data.path, "pods", "run", uuid, "net", "default-restricted.conf"),
          ifName: "eth0",
          ip: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
          args: "",
          mask: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
        },
      ],
      app_names: ["sleeper"],
      apps: [{ name: "sleeper", state: "running", created_at: expect.any(Number), started_at: expect.any(Number), image_id: imageId }],
      created_at: seconds,
      started_at: seconds,
    });
    const ip = (running.networks as { ip: string }[])[0]!.ip;
    expect(rkt(data.path, ["status", uuid]).stdout).toContain(`networks=default-restricted:ip4=${ip}\n`);
    expect(listed(uuid)).toEqual(running);

    expect(rkt(data.path, ["stop", uuid]).exitCode).toBe(0);
    await proc.exited;
    const exited = json(["status", "--format=json", uuid]) as { state: string; networks?: unknown; apps: { state: string; exit_code?: number }[] };
    expect(exited.state).toBe("exited");
    expect(exited.networks).toBeUndefined();
    expect(exited.apps).toEqual([expect.objectContaining({ name: "sleeper", state: "exited", exit_code: expect.any(Number), started_at: expect.any(Number) })]);
    expect(listed(uuid)).toEqual(exited);
  });

  test("a pod that ran to its end: the app's own exit code", () => {
    const ran = rkt(data.path, ["--insecure-skip-verify", "run", "--mds-register=false", `--uuid-file-save=${join(work.path, "quick-uuid")}`, quick]);
    expect(ran.exitCode).toBe(3);
    const uuid = readFileSync(join(work.path, "quick-uuid"), "utf8").trim();
    expect(json(["status", "--format=json", uuid])).toMatchObject({ name: uuid, state: "exited", apps: [{ name: "quick", state: "exited", exit_code: 3 }] });
  });

  test("an app's mounts: the volume, the mount point's path, the host path, read-only", () => {
    const withVolume = busyboxImage(work.path, "example.com/volume", shellApp("cat /data/in", { mountPoints: [{ name: "data", path: "/data" }] }));
    const host = join(work.path, "host-volume");
    mkdirSync(host);
    const prepared = rkt(data.path, ["--insecure-skip-verify", "prepare", `--volume=data,kind=host,source=${host},readOnly=true`, withVolume]);
    expect(prepared.exitCode).toBe(0);
    const status = json(["status", "--format=json", prepared.stdout.trim()]) as { apps: { mounts?: unknown }[] };
    expect(status.apps[0]!.mounts).toEqual([{ name: "data", container_path: "/data", host_path: host, read_only: true }]);
  });

  test("json-pretty is the same document, indented with tabs", () => {
    const pretty = rkt(data.path, ["list", "--format=json-pretty"]);
    expect(pretty.exitCode).toBe(0);
    expect(pretty.stdout).toStartWith("[\n\t{\n\t\t\"name\": ");
    expect(JSON.parse(pretty.stdout)).toEqual(json(["list", "--format=json"]));
  });

  test("an empty data directory lists as []", () => {
    const empty = tempDataDir("rkt-json-empty-");
    try {
      expect(rkt(empty.path, ["list", "--format=json"])).toEqual({ exitCode: 0, stdout: "[]\n", stderr: "" });
    } finally {
      empty.cleanup();
    }
  });
});

describe("rkt image list --format=json", () => {
  test("id, name with the version label, import time in nanoseconds", () => {
    const images = json(["image", "list", "--format=json"]) as { id: string; name: string; import_time: number }[];
    const stored = images.find((i) => i.name === "example.com/quick");
    expect(stored).toEqual({ id: imageId, name: "example.com/quick", import_time: expect.any(Number) });
    expect(Math.abs(stored!.import_time / 1e9 - Date.now() / 1000)).toBeLessThan(3600);
    expect(images.some((i) => i.name.startsWith("coreos.com/rkt/stage1:"))).toBe(true);
  });
});

describe("--format takes json, json-pretty or nothing", () => {
  for (const args of [["list"], ["status", "0"], ["image", "list"]]) {
    test(`rkt ${args.join(" ")} --format=xml is a usage error naming the flag and the value`, () => {
      const result = rkt(data.path, [...args, "--format=xml"]);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain('--format: unknown format "xml"');
    });
  }
});
