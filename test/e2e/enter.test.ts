// `rkt enter`: a command in a running pod's namespaces, chrooted in the app's rootfs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { childCommands, rkt, tempDataDir, tempDir } from "../support/harness";
import { busyboxImage, collectPods, shellApp, spawnRkt, waitFor } from "./run-fixtures";

const work = tempDir("rkt-enter-images-");
const data = tempDataDir("rkt-enter-");
let pod: ReturnType<typeof spawnRkt> | undefined;
let uuid = "";
let podPid = 0;

beforeAll(async () => {
  const sleeper = busyboxImage(work.path, "example.com/sleeper", shellApp("exec sleep 600"), {
    files: { "marker": "only in the app's rootfs\n" },
  });
  const uuidFile = join(work.path, "uuid");
  pod = spawnRkt(data.path, ["--insecure-skip-verify", "run", `--uuid-file-save=${uuidFile}`, sleeper]);
  uuid = await waitFor("the pod's UUID", () => (existsSync(uuidFile) ? readFileSync(uuidFile, "utf8") : undefined));
  const pidFile = join(data.path, "pods", "run", uuid, "pid");
  podPid = await waitFor("the pod's pid", () => (existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) || undefined : undefined));
  // The pod runs before its app's shell has become `sleep`; the tests look for it.
  await waitFor("the app's sleep", () => (childCommands(podPid).includes("sleep") || undefined));
});

afterAll(async () => {
  if (pod) {
    pod.kill("SIGKILL");
    await pod.exited;
  }
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

describe("rkt enter", () => {
  test("runs a command that sees the app's rootfs and the pod's PID namespace", () => {
    const result = rkt(data.path, ["enter", uuid.slice(0, 8), "/bin/sh", "-c", "cat /marker; pidof sleep"]);
    expect(result.exitCode).toBe(0);
    const [marker, sleepPid] = result.stdout.trim().split("\n");
    expect(marker).toBe("only in the app's rootfs");
    // Inside the pod's PID namespace the app has a small PID, not its host one.
    expect(Number(sleepPid)).toBeLessThan(podPid);
  });

  test("the command is confined as the app is: its bounding set, no_new_privs, the seccomp filter, no more capabilities", () => {
    const result = rkt(data.path, ["enter", uuid, "/bin/sh", "-c", "grep -E '^(CapPrm|CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status"]);
    expect(result.exitCode).toBe(0);
    // podman's default set, which the app keeps
    expect(result.stdout).toBe("CapPrm:\t00000000800405fb\nCapEff:\t00000000800405fb\nCapBnd:\t00000000800405fb\nNoNewPrivs:\t1\nSeccomp:\t2\n");
  });

  test("exits with the command's status, and CMD keeps its own flags", () => {
    const result = rkt(data.path, ["enter", uuid, "/bin/sh", "-c", "exit 7"]);
    expect(result.exitCode).toBe(7);
  });

  test("--help after the UUID belongs to CMD, not to rkt", () => {
    const result = rkt(data.path, ["enter", uuid, "/bin/echo", "--help"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("--help\n");
  });

  test("without a command runs a shell (busybox has no bash: /bin/sh)", () => {
    const result = rkt(data.path, ["enter", uuid], { stdin: "echo in-the-shell\n" });
    expect(result.stderr).toContain('No command specified, assuming "/bin/sh"');
    expect(result.stdout).toBe("in-the-shell\n");
  });

  test("refuses an app the pod does not have", () => {
    const result = rkt(data.path, ["enter", "--app=nope", uuid, "/bin/true"]);
    expect(result.exitCode).toBe(1);
  });

  test("SIGTERM to rkt run stops the pod (the app's status: killed by SIGTERM); then enter refuses it", async () => {
    pod!.kill("SIGTERM");
    const exitCode = await pod!.exited;
    pod = undefined;
    expect(exitCode).toBe(128 + 15);
    const result = rkt(data.path, ["enter", uuid, "/bin/true"]);
    expect(result.stderr).toBe(`enter: Pod "${uuid}" isn't currently running\n`);
    expect(result.exitCode).toBe(1);
  });
});
