// The device policy from inside real pods: a probe app (device-probe.c, built static here)
// opens the executor's standard nodes but no node an image ships or a host directory
// holds, and a host volume from /dev grants its nodes (read-only when the volume is). Run
// with cgroup v1's devices controller, and with v2's device program in a mount namespace
// that hides the v1 devices hierarchy (as a host without it would look).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { imageManifest, makeTestAci, rkt, rktBinary, tempDataDir, tempDir, type RunResult } from "../support/harness";
import { collectPods } from "./run-fixtures";

const work = tempDir("rkt-devices-images-");
const data = tempDataDir("rkt-devices-");
afterAll(() => {
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

const v1DevicesMount = "/sys/fs/cgroup/devices";
const mountsOfHost = readFileSync("/proc/self/mountinfo", "utf8");
const hostHasV1Devices = mountsOfHost.includes(` ${v1DevicesMount} `);
const hostHasCgroup2 = / - cgroup2 /.test(mountsOfHost);

/** The host's root block device, as `b MAJOR:MINOR` of the disk /tmp lives on. */
function hostBlockDevice(): { major: number; minor: number } {
  const dev = statSync(work.path).dev;
  return { major: Math.floor(dev / 256), minor: dev % 256 };
}

let probeImage: string;
beforeAll(() => {
  const probe = join(work.path, "device-probe");
  const cc = Bun.spawnSync(["gcc", "-static", "-O2", "-Wall", "-Werror", join(import.meta.dir, "device-probe.c"), "-o", probe]);
  if (cc.exitCode !== 0) throw new Error(`gcc device-probe.c: ${cc.stderr.toString()}`);
  probeImage = makeTestAci(work.path, "device-probe.aci", {
    manifest: imageManifest("example.com/device-probe", {
      app: {
        exec: ["/bin/device-probe"],
        user: "0",
        group: "0",
        // mknod is granted, so that only the device policy stands between the app and /dev/mem.
        isolators: [{ name: "os/linux/capabilities-retain-set", value: { set: ["CAP_MKNOD"] } }],
      },
    }),
    copies: { "bin/device-probe": probe },
    deviceNodes: {
      "dev/mem": { type: "c", major: 1, minor: 1 },
      "dev/disk0": { type: "b", ...hostBlockDevice() },
      "opt/mem": { type: "c", major: 1, minor: 1 },
    },
  });
});

/** A fresh host directory holding a /dev/mem node made on the host. */
function hostDirWithMem(): string {
  const dir = mkdtempSync(join(work.path, "host-dir-"));
  const made = Bun.spawnSync(["mknod", join(dir, "mem"), "c", "1", "1"]);
  if (made.exitCode !== 0) throw new Error(`mknod: ${made.stderr.toString()}`);
  return dir;
}

/** Runs the probe with ARGS; with `hideV1Devices`, in a mount namespace without the v1 devices hierarchy. */
function probe(args: string[], flags: string[] = [], opts: { hideV1Devices?: boolean } = {}): RunResult & { said: Record<string, string>; cgroups: string[] } {
  const uuidFile = join(work.path, `uuid-${Math.random().toString(36).slice(2)}`);
  const runArgs = ["--insecure-skip-verify", "run", "--mds-register=false", `--uuid-file-save=${uuidFile}`, ...flags, probeImage, "--", ...args];
  const result = opts.hideV1Devices
    ? (() => {
        const proc = Bun.spawnSync(["unshare", "--mount", "sh", "-c", `umount ${v1DevicesMount} && exec "$@"`, "sh", rktBinary, `--dir=${data.path}`, ...runArgs], { stdin: "ignore" });
        return { exitCode: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
      })()
    : rkt(data.path, runArgs);
  const uuid = existsSync(uuidFile) ? readFileSync(uuidFile, "utf8") : "";
  const cgroupList = join(data.path, "pods", "run", uuid, "cgroup");
  const said = Object.fromEntries(result.stdout.split("\n").filter((l) => l.includes("=")).map((l) => l.split("=") as [string, string]));
  return { ...result, said, cgroups: uuid && existsSync(cgroupList) ? readFileSync(cgroupList, "utf8").trim().split("\n") : [] };
}

const standardNodes = ["rw:/dev/null", "rw:/dev/zero", "rw:/dev/full", "rw:/dev/random", "rw:/dev/urandom", "rw:/dev/console", "rw:/dev/ptmx", "pts"];

function devicePolicyTests(flavor: { hideV1Devices: boolean; hierarchy: string }) {
  const run = (args: string[], flags: string[] = []) => probe(args, flags, { hideV1Devices: flavor.hideV1Devices });

  test("the standard nodes open, and /dev/tty is refused by its driver only (no controlling terminal)", () => {
    const r = run([...standardNodes, "rw:/dev/tty"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.cgroups.some((c) => c.startsWith(`${flavor.hierarchy}/`))).toBe(true);
    for (const node of standardNodes) expect(`${node}=${r.said[node]}`).toBe(`${node}=ok`);
    expect(r.said["rw:/dev/tty"]).toBe("ENXIO");
  });

  // EACCES: the app's root is mounted nodev; the device policy (EPERM) would refuse them next.
  test("device nodes shipped in the image cannot be opened, in /dev or elsewhere", () => {
    const nodes = ["r:/dev/mem", "r:/dev/disk0", "r:/opt/mem"];
    const r = run(nodes);
    expect(r.exitCode).toBe(0);
    for (const node of nodes) expect(`${node}=${r.said[node]}`).toBe(`${node}=EACCES`);
  });

  test("a node on a host volume outside /dev is refused, and mknod makes only standard nodes", () => {
    const r = run(["r:/host/mem", "mknod:/host/made-null:1:3", "rw:/host/made-null", "mknod:/host/made-mem:1:1"], [`--volume=host,kind=host,source=${hostDirWithMem()}`, "--mount=volume=host,target=/host"]);
    expect(r.exitCode).toBe(0);
    expect(r.said["r:/host/mem"]).toBe("EPERM");
    expect(r.said["mknod:/host/made-null:1:3"]).toBe("ok");
    expect(r.said["rw:/host/made-null"]).toBe("ok");
    expect(r.said["mknod:/host/made-mem:1:1"]).toBe("EPERM");
  });

  // loop-control's open checks no capability of its own, so EPERM can only be the policy's.
  test.if(existsSync("/dev/loop-control"))("a host volume of a /dev node grants it, for reading only when the volume is read-only", () => {
    const volume = ["--volume=loop,kind=host,source=/dev/loop-control", "--mount=volume=loop,target=/dev/loop-control"];
    const without = run(["rw:/dev/loop-control"]);
    expect(without.said["rw:/dev/loop-control"]).toBe("ENOENT");
    const rw = run(["rw:/dev/loop-control"], volume);
    expect(rw.said["rw:/dev/loop-control"]).toBe("ok");
    const ro = run(["r:/dev/loop-control", "w:/dev/loop-control"], [`${volume[0]},readOnly=true`, volume[1]!]);
    expect(ro.said["r:/dev/loop-control"]).toBe("ok");
    expect(ro.said["w:/dev/loop-control"]).toBe("EPERM");
  });

  test.if(existsSync("/dev/net/tun"))("a host volume of a /dev directory grants the nodes in it; without it there is no /dev/net/tun", () => {
    const without = run(["rw:/dev/net/tun"]);
    expect(without.said["rw:/dev/net/tun"]).toBe("ENOENT");
    const granted = run(["rw:/dev/net/tun"], ["--volume=net,kind=host,source=/dev/net", "--mount=volume=net,target=/dev/net"]);
    expect(granted.said["rw:/dev/net/tun"]).toBe("ok");
  });
}

describe.if(hostHasV1Devices)("the device policy with the cgroup v1 devices controller", () => {
  devicePolicyTests({ hideV1Devices: false, hierarchy: v1DevicesMount });
});

// Without a v1 devices hierarchy stage1 attaches a device program to the app's v2 cgroup.
describe.if(hostHasCgroup2)("the device policy with a cgroup v2 device program", () => {
  const unified = mountsOfHost.split("\n").find((l) => / - cgroup2 /.test(l))!.split(" ")[4]!;
  devicePolicyTests({ hideV1Devices: hostHasV1Devices, hierarchy: unified });
});
