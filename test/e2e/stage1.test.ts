// The default stage1 against pods assembled by hand (stage1/README.md is the contract):
// real namespaces, mounts and cgroups, apps made of Debian's static busybox. Runs as root.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hostTarget } from "../../native/targets";
import { encodeList, encodeRecords, FieldLimit } from "../../src/pod/contract-records";
import { buildHelloImage, buildStage1Image } from "../../stage1/build";
import { childCommands, tempDir } from "../support/harness";
import { waitFor } from "./run-fixtures";
import { HandPod, type HandAppSpec } from "./stage1-pod";
import { TerminalSession } from "./terminal-session";

let build: { path: string; cleanup: () => void };
let stage1Tree: string;
/** The newest pod's directory (tests keep their own files there too); all are removed after each test. */
let work: { path: string; cleanup: () => void };
let workDirs: { cleanup: () => void }[] = [];
let pods: HandPod[] = [];

beforeAll(async () => {
  build = tempDir("rkt-stage1-build-");
  const aci = await buildStage1Image(build.path, hostTarget());
  stage1Tree = join(build.path, "tree");
  mkdirSync(stage1Tree);
  const untar = Bun.spawnSync(["tar", "-xzf", aci, "-C", stage1Tree]);
  if (untar.exitCode !== 0) throw new Error(`untar stage1: ${untar.stderr}`);
  stage1Tree = join(stage1Tree, "rootfs");
});

afterAll(() => build.cleanup());

afterEach(() => {
  for (const pod of pods) pod.destroy();
  pods = [];
  for (const dir of workDirs) dir.cleanup();
  workDirs = [];
});

function mountsFile(records: string[][]): Buffer {
  return encodeRecords(records, FieldLimit.path, "mounts");
}

function newPod(apps: HandAppSpec[], podLimits?: string[][]): HandPod {
  work = tempDir("rkt-stage1-pod-");
  workDirs.push(work);
  const pod = new HandPod(work.path, stage1Tree, apps, podLimits);
  pods.push(pod);
  return pod;
}

/** Reads a running pod's stdout until it contains `marker`. */
async function waitForOutput(stream: ReadableStream<Uint8Array>, marker: string): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  while (!seen.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`pod output ended before "${marker}": ${seen}`);
    seen += decoder.decode(value);
  }
  reader.releaseLock();
  return seen;
}

const sh = (script: string) => ["/bin/sh", "-c", script];

describe("stage1 init: output, statuses and the pod's life", () => {
  test("passes a single app's stdout and stderr through unchanged and keeps them in logs/<app>", async () => {
    const pod = newPod([{ name: "hello", exec: sh("echo to-stdout; echo to-stderr >&2") }]);
    const result = await pod.run();
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("to-stdout\n");
    expect(result.stderr).toBe("to-stderr\n");
    expect(pod.log("hello")).toContain("to-stdout\n");
    expect(pod.log("hello")).toContain("to-stderr\n");
    expect(pod.status("hello")).toBe("0\n");
  });

  test("prefixes every line with the app name when the pod has several apps", async () => {
    const pod = newPod([
      { name: "one", exec: sh("echo first; echo second") },
      { name: "two", exec: sh("echo third") },
    ]);
    const result = await pod.run();
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split("\n").filter(Boolean).sort()).toEqual(["one: first", "one: second", "two: third"]);
    expect(pod.log("one")).toBe("first\nsecond\n");
  });

  test("exits with a failing app's status and records it in rkt/status/<app>", async () => {
    const pod = newPod([{ name: "fails", exec: sh("exit 7") }]);
    const result = await pod.run();
    expect(result.exitCode).toBe(7);
    expect(pod.status("fails")).toBe("7\n");
  });

  test("an app that fails stops the others, whose status is the signal that stopped them", async () => {
    const pod = newPod([
      { name: "sleeper", exec: ["/bin/sleep", "1000"] },
      { name: "fails", exec: sh("exit 4") },
    ]);
    const result = await pod.run();
    expect(result.exitCode).toBe(4);
    expect(pod.status("fails")).toBe("4\n");
    expect(pod.status("sleeper")).toBe("15\n");
  });

  test("SIGTERM to init stops the pod in order; a killed app gives 128 + signal", async () => {
    const pod = newPod([{ name: "server", exec: sh("echo ready; exec sleep 1000") }]);
    const proc = pod.start();
    await waitForOutput(proc.stdout, "ready");
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(143);
    expect(pod.status("server")).toBe("15\n");
  });

  test("writes pid: the host PID of the pod's PID 1", async () => {
    const pod = newPod([{ name: "server", exec: sh("echo ready; exec sleep 1000") }]);
    const proc = pod.start();
    await waitForOutput(proc.stdout, "ready");
    const pid = Number(readFileSync(join(pod.dir, "pid"), "utf8"));
    const nspid = readFileSync(`/proc/${pid}/status`, "utf8").match(/^NSpid:\s+(.*)$/m)?.[1].split(/\s+/);
    expect(nspid).toEqual([String(pid), "1"]);
    proc.kill("SIGTERM");
    await proc.exited;
  });

  test("runs pre-start before the app and post-stop after it, in the app's root", async () => {
    const pod = newPod([
      {
        name: "app",
        preStart: sh("echo pre-start >> /tmp/order"),
        exec: sh("echo main >> /tmp/order"),
        postStop: sh("echo post-stop >> /tmp/order"),
      },
    ]);
    expect((await pod.run()).exitCode).toBe(0);
    expect(readFileSync(join(pod.appRoot("app"), "tmp/order"), "utf8")).toBe("pre-start\nmain\npost-stop\n");
  });

  test("a failing pre-start fails the app: its main process never runs", async () => {
    const pod = newPod([{ name: "app", preStart: sh("exit 5"), exec: sh("touch /tmp/main-ran") }]);
    const result = await pod.run();
    expect(result.exitCode).toBe(5);
    expect(pod.status("app")).toBe("5\n");
    expect(existsSync(join(pod.appRoot("app"), "tmp/main-ran"))).toBe(false);
  });

  test("an exec that fails prints one line naming the program and the app, and exits 127", async () => {
    const pod = newPod([{ name: "broken", exec: ["/bin/no-such-program"] }]);
    const result = await pod.run();
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toBe('stage1: exec /bin/no-such-program in app "broken": No such file or directory\n');
  });

  test("its own setup failures print one stage1: line and exit 254", async () => {
    const pod = newPod([{ name: "app", exec: ["/bin/true"] }]);
    writeFileSync(join(pod.stage1Root, "rkt/app/app/ids"), encodeList(["root", "0"], FieldLimit.name, "ids"));
    const result = await pod.run();
    expect(result.exitCode).toBe(254);
    expect(result.stderr).toMatch(/^stage1: parse .*ids: expected a decimal number\n$/);
  });

  test("never leaks the pod lock (or any other descriptor) into apps", async () => {
    const pod = newPod([{ name: "app", exec: ["/bin/ls", "/proc/self/fd"] }]);
    const result = await pod.run();
    // 3 is the directory ls itself is reading.
    expect(result.stdout.split("\n").filter(Boolean).sort()).toEqual(["0", "1", "2", "3"]);
  });
});

describe("stage1 init: what an app sees", () => {
  test("the environment is exactly the app's env file", async () => {
    const pod = newPod([{ name: "app", exec: ["/bin/env"], env: { GREETING: "hello world", EMPTY: "" } }]);
    const result = await pod.run();
    expect(result.stdout.split("\n").filter(Boolean).sort()).toEqual([
      "AC_APP_NAME=app",
      "EMPTY=",
      "GREETING=hello world",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "container=rkt",
    ]);
  });

  test("runs as the app's uid and gid with its supplementary groups", async () => {
    const pod = newPod([{ name: "app", exec: ["/bin/id"], ids: [1000, 1001, 2000, 2001] }]);
    expect((await pod.run()).stdout).toBe("uid=1000 gid=1001 groups=2000,2001\n");
  });

  test("starts in the working directory, and fails clearly when it is missing", async () => {
    const ok = newPod([{ name: "app", exec: ["/bin/pwd"], workdir: "/srv/data", files: { "srv/data/.keep": "" } }]);
    expect((await ok.run()).stdout).toBe("/srv/data\n");
    const missing = newPod([{ name: "app", exec: ["/bin/pwd"], workdir: "/nowhere" }]);
    const result = await missing.run();
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toBe('stage1: chdir /nowhere in app "app": No such file or directory\n');
  });

  test("the hostname is rkt-<uuid>", async () => {
    const pod = newPod([{ name: "app", exec: ["/bin/hostname"] }]);
    expect((await pod.run()).stdout).toBe(`rkt-${pod.uuid}\n`);
  });

  test("has a PID namespace of its own: only the pod's processes are visible", async () => {
    const pod = newPod([{ name: "app", exec: sh("echo $$; ls /proc | grep -E '^[0-9]+$'") }]);
    const [own, ...visible] = (await pod.run()).stdout.split("\n").filter(Boolean).map(Number);
    expect(own).toBeLessThan(10);
    expect(visible).toContain(1);
    expect(visible).toContain(own);
    expect(Math.max(...visible)).toBeLessThan(10);
  });

  test("/proc and a read-only /sys are mounted, /proc/sys is read-only", async () => {
    const pod = newPod([
      {
        name: "app",
        exec: sh("grep -E ' /(proc|sys) ' /proc/mounts | cut -d' ' -f2-4; echo 1 > /proc/sys/kernel/ns_last_pid || echo refused; touch /sys/x || echo refused"),
      },
    ]);
    const result = await pod.run();
    const lines = result.stdout.split("\n");
    expect(lines).toContain("refused");
    expect(lines.filter((l) => l === "refused")).toHaveLength(2);
    expect(lines.some((l) => /^\/proc proc rw,/.test(l))).toBe(true);
    expect(lines.some((l) => /^\/sys sysfs ro,/.test(l))).toBe(true);
  });

  test("has the executor's /dev: device nodes, /dev/pts, /dev/ptmx and a /dev/shm tmpfs", async () => {
    const pod = newPod([
      {
        name: "app",
        exec: sh(
          "for d in null zero full random urandom tty console; do test -c /dev/$d && echo $d; done; " +
            "grep -E ' /dev/(pts|shm|ptmx) ' /proc/mounts | cut -d' ' -f2,3; echo data > /dev/shm/x && cat /dev/shm/x; head -c 4 /dev/zero | wc -c",
        ),
      },
    ]);
    const lines = (await pod.run()).stdout.split("\n").filter(Boolean);
    expect(lines).toEqual([
      "null", "zero", "full", "random", "urandom", "tty", "console",
      "/dev/pts devpts", "/dev/ptmx devpts", "/dev/shm tmpfs",
      "data", "4",
    ]);
  });

  test("drops every capability not listed from the bounding set", async () => {
    const CAP_CHOWN = 0, CAP_SYS_ADMIN = 21;
    const pod = newPod([{ name: "app", exec: sh("grep CapBnd /proc/self/status"), caps: [CAP_CHOWN, CAP_SYS_ADMIN] }]);
    expect((await pod.run()).stdout).toBe("CapBnd:\t0000000000200001\n");
  });
});

describe("stage1 init: volumes", () => {
  test("binds host volumes read-write and read-only", async () => {
    const pod = newPod([{ name: "app", exec: ["/bin/true"] }]);
    const rw = join(work.path, "rw"), ro = join(work.path, "ro");
    mkdirSync(rw);
    mkdirSync(ro);
    writeFileSync(join(ro, "existing"), "from the host\n");
    writeFileSync(join(pod.stage1Root, "rkt/app/app/mounts"), mountsFile([["host", rw, "/data/rw", "rw"], ["host", ro, "/data/ro", "ro"]]));
    writeFileSync(
      join(pod.stage1Root, "rkt/app/app/exec"),
      sh("echo written > /data/rw/new; cat /data/ro/existing; echo x > /data/ro/new || echo refused").map((a) => `${a}\0`).join(""),
    );
    const result = await pod.run();
    expect(result.stdout).toBe("from the host\nrefused\n");
    expect(result.stderr).toContain("Read-only file system");
    expect(readFileSync(join(rw, "new"), "utf8")).toBe("written\n");
    expect(existsSync(join(ro, "new"))).toBe(false);
  });

  test("an empty volume is one tmpfs shared by the apps that mount it, a mount point of its own", async () => {
    const waitFor = (file: string) => `while ! test -e /shared/${file}; do sleep 0.05; done`;
    const pod = newPod([
      { name: "left", mounts: [["empty", "scratch", "/shared", "rw"]], exec: sh(`touch /shared/from-left; ${waitFor("from-right")}; stat -f -c %i / /shared`) },
      { name: "right", mounts: [["empty", "scratch", "/shared", "rw"]], exec: sh(`touch /shared/from-right; ${waitFor("from-left")}; ls /shared`) },
    ]);
    const result = await pod.run();
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split("\n").filter(Boolean);
    expect(lines.filter((l) => l.startsWith("right: "))).toEqual(["right: from-left", "right: from-right"]);
    const [rootFs, volumeFs] = lines.filter((l) => l.startsWith("left: "));
    expect(volumeFs).not.toBe(rootFs);
  });

  test("mount targets are resolved inside the app root: a symlink cannot send a volume outside", async () => {
    const pod = newPod([{ name: "app", exec: sh("ls -d /link/inner") }]);
    const host = join(work.path, "host-volume");
    const hostOutside = join(work.path, "outside");
    mkdirSync(host);
    mkdirSync(hostOutside);
    symlinkSync(hostOutside, join(pod.appRoot("app"), "link"));
    writeFileSync(join(pod.stage1Root, "rkt/app/app/mounts"), mountsFile([["host", host, "/link/inner", "rw"]]));
    const result = await pod.run();
    expect(result.exitCode).toBe(0);
    expect(readdirSync(hostOutside)).toEqual([]);
    expect(lstatSync(join(pod.appRoot("app"), hostOutside, "inner")).isDirectory()).toBe(true);
  });
});

describe("stage1 init: malformed contract files", () => {
  const longPath = `/${"a".repeat(FieldLimit.path)}`;
  const longArgument = "a".repeat(FieldLimit.string + 1);
  // [what is wrong, file below rkt/, its content, what the one line says]
  const cases: [string, string, string, RegExp][] = [
    ["mounts in the old TAB-separated lines", "app/app/mounts", "empty\tdata\t/data\trw\nhost\t/\t/hostroot\trw\n", /the last field has no NUL terminator/],
    ["a mount target with a TAB and a newline", "app/app/mounts", "empty\0data\0/data\trw\nhost\0rw\0", /the mount target holds a control character/],
    ["a mount record of 3 fields", "app/app/mounts", "empty\0data\0/data\0", /3 fields do not make records of 4 fields/],
    ["an unknown volume kind", "app/app/mounts", "bind\0/\0/hostroot\0rw\0", /unknown volume kind/],
    ["a relative mount target", "app/app/mounts", "host\0/\0hostroot\0rw\0", /the mount target "hostroot" is not an absolute path/],
    ["a relative host volume source", "app/app/mounts", "host\0relative\0/hostroot\0rw\0", /the host volume source "relative" is not an absolute path/],
    ["an empty volume name with a slash", "app/app/mounts", "empty\0../data\0/data\0rw\0", /bad empty volume name/],
    ["an unknown mount mode", "app/app/mounts", "empty\0data\0/data\0rwx\0", /the mode must be ro or rw/],
    ["a mount target longer than PATH_MAX", "app/app/mounts", `host\0/\0${longPath}\0rw\0`, /field 3 is 4096 bytes long, at most 4095 are allowed/],
    ["an exec without its terminator", "app/app/exec", "/bin/true", /the last field has no NUL terminator/],
    ["an empty exec", "app/app/exec", "", /the command is empty/],
    ["an argument longer than the kernel takes", "app/app/exec", `/bin/echo\0${longArgument}\0`, /field 2 is 131072 bytes long, at most 131071 are allowed/],
    ["a pre-start handler as a line", "app/app/pre-start", "/bin/true\n", /the last field has no NUL terminator/],
    ["a command with an escape sequence", "app/app/exec", "/bin/true\x1b[2J\0", /the command holds a control character/],
    ["an environment entry without =", "env/app", "PATH=/bin\0NOVALUE\0", /expected NAME=VALUE entries/],
    ["a variable name with a TAB", "env/app", "PATH=/bin\0BAD\tNAME=1\0", /the variable name holds a control character/],
    ["the app list as lines", "apps", "app\n", /the last field has no NUL terminator/],
    ["ids without a GID", "app/app/ids", "0\0", /expected UID GID/],
    ["a negative GID", "app/app/ids", "0\0-1\0", /expected a decimal number/],
    ["a UID that wraps to root in 32 bits", "app/app/ids", "4294967296\x000\0", /id 4294967296 out of range/],
    ["two working directories", "app/app/workdir", "/srv\0/tmp\0", /expected one working directory, found 2/],
    ["a relative working directory", "app/app/workdir", "srv\0", /the working directory "srv" is not an absolute path/],
    ["a working directory with a newline", "app/app/workdir", "/srv\n\0", /the working directory holds a control character/],
    ["capabilities separated by a space", "app/app/caps", "0 1\0", /expected a decimal number/],
    ["a limit without its value", "app/app/limits", "memory\0", /1 fields do not make records of 2 fields/],
    ["an unknown limit", "app/app/limits", "swap\x00100\0", /unknown limit/],
    ["pod limits as a line", "pod-limits", "memory 100\n", /the last field has no NUL terminator/],
    ["an unknown socket protocol", "app/app/sockets", "sctp\x0080\0", /unrecognized protocol/],
    ["a port out of range", "app/app/sockets", "tcp\x0065536\0", /port 65536 out of range/],
  ];
  test.each(cases)("%s: exit 254, one line, nothing started", async (_what, file, content, reason) => {
    const pod = newPod([{ name: "app", exec: ["/bin/touch", "/ran"] }]);
    writeFileSync(join(pod.stage1Root, "rkt", file), content);
    const result = await pod.run();
    expect(result.exitCode).toBe(254);
    expect(result.stderr).toMatch(/^stage1: parse [^\n]+\n$/);
    expect(result.stderr).toMatch(reason);
    for (const left of ["pid", "cgroup", "logs"]) expect(existsSync(join(pod.dir, left))).toBe(false);
    expect(existsSync(join(pod.appRoot("app"), "ran"))).toBe(false);
  });
});

type CgroupVersion = "v1" | "v2";

/** Each line of /proc/self/mountinfo as `{ mountPoint, fstype, superOptions }`. */
function cgroupMounts(): { mountPoint: string; fstype: string; superOptions: string[] }[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [before, after] = line.split(" - ");
      const [fstype, , superOptions] = after!.split(" ");
      return { mountPoint: before!.split(" ")[4]!, fstype: fstype!, superOptions: superOptions!.split(",") };
    })
    .filter((m) => m.fstype === "cgroup" || m.fstype === "cgroup2");
}

/** Where this host's cgroup2 hierarchy is mounted, if it is. */
const cgroup2MountPoint = cgroupMounts().find((m) => m.fstype === "cgroup2")?.mountPoint;

/** This process's cgroup in the unified hierarchy (`/proc/self/cgroup` line `0::PATH`). */
const ownUnifiedCgroup = /^0::(.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))?.[1];

/** The controllers the unified (v2) hierarchy offers in this process's cgroup: the ones stage1 can use there. */
function unifiedControllers(): string[] {
  if (cgroup2MountPoint === undefined || ownUnifiedCgroup === undefined) return [];
  return readFileSync(join(cgroup2MountPoint, ownUnifiedCgroup, "cgroup.controllers"), "utf8").split(/\s+/).filter(Boolean);
}

/** Where stage1 can apply a limit, or the warning it gives instead. */
type CgroupSupport = { version: CgroupVersion } | { warning: string };

const disabledWarning = (controller: string) => `warning: resource/${controller} isolator set but support disabled in the kernel, skipping`;

/**
 * In the unified hierarchy: stage1 enables the controller for its children in the cgroup
 * rkt runs in, which the kernel refuses (EBUSY) in any cgroup with processes but the root
 * (only the root has no `cgroup.type`).
 */
function unifiedSupportOf(controller: "memory" | "cpu"): CgroupSupport {
  if (!unifiedControllers().includes(controller)) return { warning: disabledWarning(controller) };
  if (existsSync(join(cgroup2MountPoint!, ownUnifiedCgroup!, "cgroup.type"))) return { warning: "warning: cannot enable the controllers for the pod's cgroups in " };
  return { version: "v2" };
}

/** Where stage1 finds `controller` on this host: a v1 hierarchy first, else the unified one. */
function cgroupSupportOf(controller: "memory" | "cpu"): CgroupSupport {
  if (cgroupMounts().some((m) => m.fstype === "cgroup" && m.superOptions.includes(controller))) return { version: "v1" };
  return unifiedSupportOf(controller);
}

const memorySupport = cgroupSupportOf("memory");
const cpuSupport = cgroupSupportOf("cpu");

/** The file each limit is written to, by cgroup version. */
const limitFile = { memory: { v1: "memory.limit_in_bytes", v2: "memory.max" }, cpu: { v1: "cpu.cfs_quota_us", v2: "cpu.max" } };

/** The pod's cgroup ending in `suffix` in the hierarchy of `controller` (the one with its limit file). */
function cgroupOf(pod: HandPod, controller: "memory" | "cpu", version: CgroupVersion, suffix: string): string {
  const cgroups = pod.cgroups();
  const found = cgroups.find((c) => c.endsWith(suffix) && existsSync(join(c, limitFile[controller][version])));
  if (found === undefined) throw new Error(`no ${controller} cgroup ending in ${suffix} among: ${cgroups.join(" ")}`);
  return found;
}

function expectMemoryLimit(cgroup: string, version: CgroupVersion, bytes: number): void {
  expect(readFileSync(join(cgroup, limitFile.memory[version]), "utf8")).toBe(`${bytes}\n`);
}

/** A CFS quota of 100 µs per millicore in a period of 100 ms. */
function expectCpuLimit(cgroup: string, version: CgroupVersion, millicores: number): void {
  if (version === "v2") {
    expect(readFileSync(join(cgroup, "cpu.max"), "utf8")).toBe(`${millicores * 100} 100000\n`);
    return;
  }
  expect(readFileSync(join(cgroup, "cpu.cfs_quota_us"), "utf8")).toBe(`${millicores * 100}\n`);
  expect(readFileSync(join(cgroup, "cpu.cfs_period_us"), "utf8")).toBe("100000\n");
}

describe("stage1 init and gc: cgroups", () => {
  test("a memory limit kills an app that allocates past it", async () => {
    if ("warning" in memorySupport) {
      // Unlimited, the hog would take the host's memory: a harmless app shows the warning.
      const pod = newPod([{ name: "app", limits: [["memory", "33554432"]], exec: ["/bin/true"] }]);
      expect((await pod.run()).stderr).toContain(memorySupport.warning);
      return;
    }
    const { version } = memorySupport;
    const pod = newPod([{ name: "hog", limits: [["memory", "33554432"]], exec: sh("exec tail < /dev/zero") }]);
    const result = await pod.run();
    expect(result.exitCode).toBe(137);
    expect(pod.status("hog")).toBe("9\n");
    const appCgroup = cgroupOf(pod, "memory", version, "/hog");
    expectMemoryLimit(appCgroup, version, 33554432);
    const oomEvents = version === "v1" ? "memory.oom_control" : "memory.events";
    expect(readFileSync(join(appCgroup, oomEvents), "utf8")).toMatch(/^oom_kill [1-9]/m);
  });

  test("a cpu limit becomes a CFS quota of the app's cgroup", async () => {
    const pod = newPod([{ name: "app", limits: [["cpu", "250"]], exec: ["/bin/true"] }]);
    const result = await pod.run();
    expect(result.exitCode).toBe(0);
    if ("warning" in cpuSupport) expect(result.stderr).toContain(cpuSupport.warning);
    else expectCpuLimit(cgroupOf(pod, "cpu", cpuSupport.version, "/app"), cpuSupport.version, 250);
  });

  test("pod limits bound the pod's cgroup", async () => {
    const pod = newPod([{ name: "app", exec: ["/bin/true"] }], [["memory", "67108864"], ["cpu", "1500"]]);
    const result = await pod.run();
    expect(result.exitCode).toBe(0);
    if ("warning" in memorySupport) expect(result.stderr).toContain(memorySupport.warning);
    else expectMemoryLimit(cgroupOf(pod, "memory", memorySupport.version, `/rkt-${pod.uuid}`), memorySupport.version, 67108864);
    if ("warning" in cpuSupport) expect(result.stderr).toContain(cpuSupport.warning);
    else expectCpuLimit(cgroupOf(pod, "cpu", cpuSupport.version, `/rkt-${pod.uuid}`), cpuSupport.version, 1500);
  });

  test("apps run in their own cgroup below the pod's, and gc removes them all", async () => {
    const pod = newPod([{ name: "app", exec: sh("cat /proc/self/cgroup") }]);
    const result = await pod.run();
    expect(result.stdout).toMatch(new RegExp(`^\\d+:[^:]*:.*/rkt-${pod.uuid}/app$`, "m"));
    const cgroups = pod.cgroups();
    expect(cgroups.length).toBeGreaterThan(0);
    for (const cgroup of cgroups) expect(existsSync(cgroup)).toBe(true);
    expect(pod.gc()).toEqual({ exitCode: 0, stderr: "" });
    for (const cgroup of cgroups) expect(existsSync(cgroup)).toBe(false);
    expect(pod.gc().exitCode).toBe(0);
  });

  test("gc tears down private networking: CNI DEL per network, config copies, the netns mount", () => {
    const pod = newPod([{ name: "app", exec: ["/bin/true"] }]);
    const namespace = `rkt-stage1-gc-${process.pid}`;
    const ipamDir = join(work.path, "ipam");
    const config = join(pod.dir, "net", "s1test.conf");
    mkdirSync(join(pod.dir, "net"));
    writeFileSync(config, JSON.stringify({
      cniVersion: "0.4.0", name: "s1test", type: "ptp", ipMasq: false,
      ipam: { type: "host-local", subnet: "10.251.7.0/24", dataDir: ipamDir },
    }));
    expect(Bun.spawnSync(["ip", "netns", "add", namespace]).exitCode).toBe(0);
    try {
      writeFileSync(join(pod.dir, "netns"), "");
      expect(Bun.spawnSync(["mount", "--bind", `/run/netns/${namespace}`, join(pod.dir, "netns")]).exitCode).toBe(0);
      const add = Bun.spawnSync(["/usr/lib/cni/ptp"], {
        stdin: Buffer.from(readFileSync(config)),
        env: { CNI_COMMAND: "ADD", CNI_CONTAINERID: pod.uuid, CNI_NETNS: join(pod.dir, "netns"), CNI_IFNAME: "eth0", CNI_PATH: "/usr/lib/cni", PATH: process.env.PATH ?? "" },
      });
      expect(add.exitCode).toBe(0);
      const ip = JSON.parse(add.stdout.toString()).ips[0].address.split("/")[0];
      expect(existsSync(join(ipamDir, "s1test", ip))).toBe(true);
      writeFileSync(join(pod.dir, "net-info.json"), JSON.stringify([{ netName: "s1test", netConf: config, ifName: "eth0", ip, args: "", mask: "255.255.255.0" }]));

      expect(pod.gc()).toEqual({ exitCode: 0, stderr: "" });
      expect(existsSync(join(ipamDir, "s1test", ip))).toBe(false);
      expect(existsSync(config)).toBe(false);
      expect(existsSync(join(pod.dir, "netns"))).toBe(false);
      expect(Bun.spawnSync(["ip", "-o", "addr", "show", "to", "10.251.7.0/24"]).stdout.toString()).toBe("");
      expect(pod.gc().exitCode).toBe(0);
    } finally {
      Bun.spawnSync(["ip", "netns", "del", namespace]);
    }
  });

  test("gc of a pod that never ran has nothing to do and succeeds", () => {
    const pod = newPod([{ name: "app", exec: ["/bin/true"] }]);
    expect(pod.gc()).toEqual({ exitCode: 0, stderr: "" });
  });
});

describe("stage1 init and gc: cgroup v2, in a mount namespace whose only cgroup mount is cgroup2", () => {
  // As on a unified host, stage1 finds no v1 hierarchy there and uses the cgroup2 one. A
  // controller is bound to one hierarchy at a time: on a hybrid host (as this one) cpu and
  // memory stay with their v1 hierarchies, the unified one offers neither, and stage1 must
  // warn and skip; where the unified hierarchy has them, the limits must be in it.
  const launcher = ["unshare", "--mount", "--propagation", "private", "sh", "-c", 'umount -R /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"', "sh"];
  /** A cgroup path as stage1 saw it in the namespace, as this process sees it. */
  const seenFromHere = (path: string) => join(cgroup2MountPoint!, path.slice("/sys/fs/cgroup".length));

  test("limits go to memory.max and cpu.max of the pod's and the app's cgroups (made for the device policy anyway), or are skipped with a warning; gc removes the cgroups", async () => {
    expect(cgroup2MountPoint).toBeDefined();
    const pod = newPod([{ name: "app", limits: [["memory", "33554432"], ["cpu", "250"]], exec: ["/bin/true"] }], [["memory", "67108864"], ["cpu", "1500"]]);
    const result = await pod.run([], launcher);
    expect(result.exitCode).toBe(0);
    const podCgroup = join("/sys/fs/cgroup", ownUnifiedCgroup!, `rkt-${pod.uuid}`);
    const appCgroup = join(podCgroup, "app");
    const cgroups = pod.cgroups();
    // Made whatever the controllers: the app's device policy is a BPF program on its cgroup.
    expect(cgroups).toEqual([podCgroup, appCgroup]);
    const memory = unifiedSupportOf("memory");
    if ("warning" in memory) expect(result.stderr).toContain(memory.warning);
    else {
      expectMemoryLimit(seenFromHere(podCgroup), "v2", 67108864);
      expectMemoryLimit(seenFromHere(appCgroup), "v2", 33554432);
    }
    const cpu = unifiedSupportOf("cpu");
    if ("warning" in cpu) expect(result.stderr).toContain(cpu.warning);
    else {
      expectCpuLimit(seenFromHere(podCgroup), "v2", 1500);
      expectCpuLimit(seenFromHere(appCgroup), "v2", 250);
    }
    expect(pod.gc(launcher)).toEqual({ exitCode: 0, stderr: "" });
    for (const cgroup of cgroups) expect(existsSync(seenFromHere(cgroup))).toBe(false);
  });
});

describe("stage1 enter", () => {
  test("runs a command in a running pod's namespaces and app root, and returns its status", async () => {
    const pod = newPod([{ name: "app", exec: sh("echo ready; exec sleep 1000"), env: { MARKER: "from-env" }, files: { "etc/inside-app": "yes\n" } }]);
    const proc = pod.start();
    await waitForOutput(proc.stdout, "ready");
    const pid = readFileSync(join(pod.dir, "pid"), "utf8").trim();
    await waitFor("the app's sleep", () => childCommands(Number(pid)).includes("sleep") || undefined);
    const enter = Bun.spawnSync(
      ["./stage1/rootfs/enter", `--pid=${pid}`, "--appname=app", "--", "/bin/sh", "-c", "hostname; echo $MARKER; cat /etc/inside-app; pwd; ps -o pid,comm | grep -c sleep; exit 6"],
      { cwd: pod.dir },
    );
    expect(enter.stderr.toString()).toBe("");
    expect(enter.exitCode).toBe(6);
    expect(enter.stdout.toString()).toBe(`rkt-${pod.uuid}\nfrom-env\nyes\n/\n1\n`);
    const killed = Bun.spawnSync(["./stage1/rootfs/enter", `--pid=${pid}`, "--appname=app", "--", "/bin/sh", "-c", "kill -TERM $$"], { cwd: pod.dir });
    expect(killed.signalCode).toBe("SIGTERM");
    proc.kill("SIGTERM");
    await proc.exited;
  });
});

describe("stage1 init: user namespace", () => {
  test("--private-users maps the pod's root to the shifted host IDs", async () => {
    const shift = 0x50000;
    const pod = newPod([{ name: "app", exec: sh("id; cat /proc/self/uid_map; touch /tmp/made-inside") }]);
    Bun.spawnSync(["chown", "-R", `${shift}:${shift}`, pod.stage1Root]);
    chownSync(pod.stage1Root, shift, shift);
    const result = await pod.run([`--private-users=${shift}:65536`]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const [id, map] = result.stdout.split("\n");
    expect(id).toBe("uid=0 gid=0");
    expect(map.trim().split(/\s+/)).toEqual(["0", String(shift), "65536"]);
    expect(lstatSync(join(pod.appRoot("app"), "tmp/made-inside")).uid).toBe(shift);
  });
});

describe("stage1 init: stopping", () => {
  test("post-stop still runs when the pod is stopped", async () => {
    const pod = newPod([
      { name: "server", exec: sh("echo ready; exec sleep 1000"), postStop: sh("echo stopped > /tmp/post-stop") },
    ]);
    const proc = pod.start();
    await waitForOutput(proc.stdout, "ready");
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(143);
    expect(readFileSync(join(pod.appRoot("server"), "tmp/post-stop"), "utf8")).toBe("stopped\n");
  });

  test("an app that ignores SIGTERM is killed with SIGKILL after the grace period", async () => {
    const pod = newPod([
      { name: "stubborn", mounts: [["empty", "sync", "/sync", "rw"]], exec: sh("trap '' TERM; touch /sync/ignoring; while true; do sleep 1; done") },
      { name: "fails", mounts: [["empty", "sync", "/sync", "rw"]], exec: sh("while ! test -e /sync/ignoring; do sleep 0.05; done; exit 3") },
    ]);
    const result = await pod.run();
    expect(result.exitCode).toBe(3);
    expect(pod.status("stubborn")).toBe("9\n");
  });
});

describe("stage1 init: terminal, sockets, network namespace", () => {
  test("--interactive on a terminal: the app's controlling terminal is a pty of the pod's /dev/pts, typed input reaches it, its output comes back and is logged, and the terminal's mode is restored", async () => {
    const pod = newPod([{
      name: "shell",
      // cut's own line of /proc/self/stat: process group, session, terminal's foreground group.
      exec: sh('echo ready; read line; echo "got $line"; tty; stat -L -c %d /proc/self/fd/0 /dev/pts /dev/console; cut -d" " -f5,6,8 /proc/self/stat'),
    }]);
    const session = new TerminalSession(`stat -L -c %d /proc/self/fd/0; ${pod.initCommand(["--interactive"])}`, pod.dir);
    try {
      await session.waitFor("ready\r\n");
      session.type("typed\n");
      const transcript = await session.finish();
      expect(transcript.commandStatus).toBe(0);
      const [outerTerminalDevice, ...lines] = transcript.commandOutput.split("\r\n");
      // "typed" once: echoed by the pod's terminal (rkt's own is in raw mode and echoes nothing).
      expect(lines.slice(0, 4)).toEqual(["ready", "typed", "got typed", expect.stringMatching(/^\/dev\/pts\/\d+$/)]);
      const [appTerminalDevice, podPtsDevice, consoleDevice, groups] = lines.slice(4);
      expect(appTerminalDevice).toBe(podPtsDevice);
      expect(consoleDevice).toBe(podPtsDevice);
      expect(appTerminalDevice).not.toBe(outerTerminalDevice);
      const [processGroup, sessionId, foregroundGroup] = groups!.split(" ");
      expect(sessionId).toBe(processGroup);
      expect(foregroundGroup).toBe(processGroup);
      expect(transcript.modeAfter).toBe(transcript.modeBefore);
      expect(pod.log("shell")).toBe(lines.slice(0, -1).map((line) => `${line}\r\n`).join(""));
      expect(pod.status("shell")).toBe("0\n");
    } finally {
      session.close();
    }
  });

  test("--interactive on a terminal: ^] pressed three times within a second kills the pod (exit 137) and reaches no app, a lone ^] does, and the terminal's mode is restored", async () => {
    const pod = newPod([{ name: "sleeper", exec: sh('echo ready; read line; test "$line" = "$(printf "\\035")x" && echo lone-escape-passed; exec sleep 1000000') }]);
    const session = new TerminalSession(pod.initCommand(["--interactive"]), pod.dir);
    try {
      await session.waitFor("ready\r\n");
      session.type("\x1dx\n");
      await session.waitFor("lone-escape-passed\r\n");
      session.type("\x1d\x1d\x1d");
      const transcript = await session.finish();
      expect(transcript.commandStatus).toBe(137);
      // The pod's terminal echoes ^] as "^]": once, for the lone one.
      expect(transcript.commandOutput).toBe("ready\r\n^]x\r\nlone-escape-passed\r\n");
      expect(transcript.modeAfter).toBe(transcript.modeBefore);
    } finally {
      session.close();
    }
  });

  test("--interactive on a terminal: SIGTERM to stage1 stops the pod the orderly way and the terminal gets its mode back", async () => {
    const pod = newPod([{ name: "sleeper", exec: sh("echo ready; exec sleep 1000000") }]);
    const session = new TerminalSession(pod.initCommand(["--interactive"]), pod.dir);
    try {
      await session.waitFor("ready\r\n");
      const podPid1 = readFileSync(join(pod.dir, "pid"), "utf8").trim();
      const stage1Pid = Number(readFileSync(`/proc/${podPid1}/stat`, "utf8").replace(/^.*\) /, "").split(" ")[1]);
      process.kill(stage1Pid, "SIGTERM");
      const transcript = await session.finish();
      expect(transcript.commandStatus).toBe(143);
      expect(pod.status("sleeper")).toBe("15\n");
      expect(transcript.modeAfter).toBe(transcript.modeBefore);
    } finally {
      session.close();
    }
  });

  test("--interactive on a terminal: the pod's terminal has the size of stage1's and follows its resizes", async () => {
    const pod = newPod([{ name: "shell", exec: sh("/bin/busybox stty size; echo ready; read line; /bin/busybox stty size") }]);
    const session = new TerminalSession(`tty; stty rows 33 cols 77; ${pod.initCommand(["--interactive"])}`, pod.dir);
    try {
      const shown = await session.waitFor("ready\r\n");
      const outerTerminal = shown.split("\r\n")[1]!;
      expect(Bun.spawnSync(["stty", "-F", outerTerminal, "rows", "40", "cols", "100"]).exitCode).toBe(0);
      session.type("\n");
      const transcript = await session.finish();
      expect(transcript.commandOutput).toBe(`${outerTerminal}\r\n33 77\r\nready\r\n\r\n40 100\r\n`);
    } finally {
      session.close();
    }
  });

  test("--interactive without a terminal: the app reads and writes stage1's own stdin and stdout, unlogged", async () => {
    const pod = newPod([{ name: "shell", exec: sh('test -t 0 || echo no-terminal; read line; echo "got $line"') }]);
    const proc = Bun.spawn(["sh", "-c", pod.initCommand(["--interactive"])], { cwd: pod.dir, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    proc.stdin.write("typed\n");
    proc.stdin.end();
    const [stdout, exitCode] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    expect(exitCode).toBe(0);
    expect(stdout).toBe("no-terminal\ngot typed\n");
    expect(pod.log("shell")).toBe("");
  });

  test("socket activation passes listening sockets as fds 3.. with LISTEN_FDS and LISTEN_PID", async () => {
    const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = probe.port;
    probe.stop(true);
    const pod = newPod([
      {
        name: "activated",
        sockets: [["tcp", String(port)]],
        exec: sh('test "$LISTEN_PID" = "$$" && echo "fds=$LISTEN_FDS"; readlink /proc/self/fd/3 | cut -c1-7; echo ready; exec sleep 1000'),
      },
    ]);
    const proc = pod.start();
    const output = await waitForOutput(proc.stdout, "ready");
    expect(output).toBe("fds=1\nsocket:\nready\n");
    const connected = await new Promise<boolean>((resolve) => {
      Bun.connect({ hostname: "127.0.0.1", port, socket: { open: (s) => { s.end(); resolve(true); }, connectError: () => resolve(false), data() {} } });
    });
    expect(connected).toBe(true);
    proc.kill("SIGTERM");
    await proc.exited;
  });

  test("joins the network namespace bound at netns in the pod directory", async () => {
    const name = `rkt-stage1-test-${process.pid}`;
    expect(Bun.spawnSync(["ip", "netns", "add", name]).exitCode).toBe(0);
    try {
      const pod = newPod([{ name: "app", exec: sh("cut -d: -f1 /proc/net/dev | tail -n +3") }]);
      writeFileSync(join(pod.dir, "netns"), "");
      expect(Bun.spawnSync(["mount", "--bind", `/run/netns/${name}`, join(pod.dir, "netns")]).exitCode).toBe(0);
      const result = await pod.run();
      expect(result.stdout.trim()).toBe("lo");
    } finally {
      Bun.spawnSync(["ip", "netns", "del", name]);
    }
  });
});

describe("stage1 init: overlay pods", () => {
  test("runs a pod whose stage1 and app roots stage0 mounted as overlays in the host namespace", async () => {
    const pod = newPod([{ name: "app", exec: sh("echo from-overlay > /tmp/written; hostname; grep ' / ' /proc/mounts | cut -d' ' -f3") }]);
    const lower = join(pod.dir, "lower");
    const overlay = (lowerDir: string, target: string, layer: string) => {
      const upper = join(pod.dir, "overlay", layer, "upper"), workDir = join(pod.dir, "overlay", layer, "work");
      mkdirSync(upper, { recursive: true });
      mkdirSync(workDir, { recursive: true });
      const mount = Bun.spawnSync(["mount", "-t", "overlay", "overlay", "-o", `lowerdir=${lowerDir},upperdir=${upper},workdir=${workDir}`, target]);
      if (mount.exitCode !== 0) throw new Error(`mount overlay: ${mount.stderr}`);
      return upper;
    };
    Bun.spawnSync(["mv", pod.stage1Root, lower]);
    mkdirSync(pod.stage1Root);
    const stage1Upper = overlay(lower, pod.stage1Root, "stage1");
    const appUpper = overlay(join(lower, "opt/stage2/app/rootfs"), pod.appRoot("app"), "app");
    const result = await pod.run();
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`rkt-${pod.uuid}\noverlay\n`);
    expect(readFileSync(join(stage1Upper, "rkt/status/app"), "utf8")).toBe("0\n");
    expect(readFileSync(join(appUpper, "tmp/written"), "utf8")).toBe("from-overlay\n");
  });
});

describe("the demo image", () => {
  test("hello.aci's program greets and shows the pod it runs in", async () => {
    const dist = join(build.path, "dist");
    mkdirSync(dist);
    const aci = await buildHelloImage(dist, dist, hostTarget());
    const unpacked = join(build.path, "hello");
    mkdirSync(unpacked);
    expect(Bun.spawnSync(["tar", "-xzf", aci, "-C", unpacked]).exitCode).toBe(0);
    const manifest = JSON.parse(readFileSync(join(unpacked, "manifest"), "utf8"));
    expect(manifest.name).toBe("rkt.local/hello");
    expect(manifest.app.exec).toEqual(["/hello"]);
    const pod = newPod([{ name: "hello", exec: manifest.app.exec, copies: { hello: join(unpacked, "rootfs/hello") } }]);
    const result = await pod.run();
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Hello from rkt!\n");
    expect(result.stdout).toContain("app:       hello (AC_APP_NAME)");
    expect(result.stdout).toContain("container: rkt");
    expect(result.stdout).toContain(`hostname:  rkt-${pod.uuid}`);
    expect(result.stdout).toMatch(/pid: +\d+ \(parent 1\), in the pod's PID namespace/);
    expect(result.stdout).toContain("uid/gid:   0/0");
  });
});
