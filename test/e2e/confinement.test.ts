// Apps are confined by default: podman's capability bounding set, no_new_privs, the seccomp
// filter and the masked kernel interfaces. A static probe program (fixtures/confinement-probe.c)
// run as the app in real pods tries what the issue reproduced (making /proc/sys writable for
// core_pattern, reading the host's keyrings, tracing the pod's PID 1, sniffing with a packet
// socket) and more; each capability granted by a retain-set still works.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { busybox, imageManifest, makeTestAci, rkt, tempDataDir, tempDir } from "../support/harness";
import { collectPods } from "./run-fixtures";

const work = tempDir("rkt-confinement-images-");
const data = tempDataDir("rkt-confinement-");
afterAll(() => {
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

let probeBinary: string;
beforeAll(() => {
  probeBinary = join(work.path, "confinement-probe");
  const gcc = Bun.spawnSync(["gcc", "-static", "-O2", "-Wall", "-Werror", join(import.meta.dir, "fixtures", "confinement-probe.c"), "-o", probeBinary]);
  if (gcc.exitCode !== 0) throw new Error(`gcc: ${gcc.stderr.toString()}`);
});

/** An image whose app prints its capability sets, then runs the probes named after `--`. */
function probeImage(name: string, app: Record<string, unknown> = {}): string {
  return makeTestAci(work.path, `${name}.aci`, {
    manifest: imageManifest(`example.com/${name}`, {
      app: { user: "0", group: "0", exec: ["/bin/sh", "-c", 'grep -E "^Cap(Prm|Eff|Bnd)" /proc/self/status; exec /probe "$@"', "sh"], ...app },
    }),
    copies: { probe: probeBinary, "bin/busybox": busybox },
    symlinks: { "bin/sh": "busybox", "bin/grep": "busybox" },
    files: { "tmp/.keep": "" },
  });
}

function retaining(...capabilities: string[]): Record<string, unknown> {
  return { isolators: [{ name: "os/linux/capabilities-retain-set", value: { set: capabilities } }] };
}

/** Runs the image's probes in a pod; returns `name -> ok | ERRNO` and the capability lines. */
function probe(image: string, probes: string[], runFlags: string[] = []) {
  const result = rkt(data.path, ["--insecure-skip-verify", "run", "--mds-register=false", ...runFlags, image, "--", ...probes]);
  if (result.exitCode !== 0) throw new Error(`rkt run exited ${result.exitCode}: ${result.stderr}`);
  const outcomes: Record<string, string> = {};
  const capabilities: Record<string, string> = {};
  for (const line of result.stdout.trim().split("\n")) {
    const [key, value] = line.includes("=") ? line.split("=") : line.split(":\t");
    if (line.includes("=")) outcomes[key!] = value!;
    else capabilities[key!] = value!;
  }
  return { outcomes, capabilities };
}

// CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP
const PODMAN_DEFAULT = "00000000800405fb";

describe("confinement by default", () => {
  test("a root app keeps podman's default capabilities and none of the issue's probes succeeds", () => {
    const { outcomes, capabilities } = probe(probeImage("default"), [
      "remount-proc-sys", "write-core-pattern", "request-key", "read-user-keyring", "ptrace-pod-init", "packet-socket",
      "mknod", "unshare-user", "mount", "proc-keys-masked", "sys-firmware-masked", "no-new-privs", "seccomp",
    ]);
    expect(capabilities).toEqual({ CapPrm: PODMAN_DEFAULT, CapEff: PODMAN_DEFAULT, CapBnd: PODMAN_DEFAULT });
    expect(outcomes).toEqual({
      "remount-proc-sys": "EPERM",
      "write-core-pattern": "EROFS",
      "request-key": "EPERM",
      "read-user-keyring": "EPERM",
      "ptrace-pod-init": "EPERM",
      "packet-socket": "EPERM",
      mknod: "EPERM",
      "unshare-user": "EPERM",
      mount: "EPERM",
      "proc-keys-masked": "ok",
      "sys-firmware-masked": "ok",
      "no-new-privs": "ok",
      seccomp: "ok",
    });
  });

  test("an app that is not root has no capabilities, only the bounding set", () => {
    const { outcomes, capabilities } = probe(probeImage("user", { user: "1000", group: "1000" }), ["no-new-privs", "seccomp"]);
    expect(capabilities).toEqual({ CapPrm: "0000000000000000", CapEff: "0000000000000000", CapBnd: PODMAN_DEFAULT });
    expect(outcomes).toEqual({ "no-new-privs": "ok", seccomp: "ok" });
  });

  test("the pod's PID 1 keeps only what starting and stopping apps needs", () => {
    const image = probeImage("pid1", { exec: ["/bin/grep", "-E", "^Cap(Eff|Bnd)", "/proc/1/status"] });
    const result = rkt(data.path, ["--insecure-skip-verify", "run", "--mds-register=false", image]);
    expect(result.exitCode).toBe(0);
    // Effective: DAC_OVERRIDE DAC_READ_SEARCH KILL SETGID SETUID SETPCAP SYS_CHROOT; bounding: those and the app's.
    expect(result.stdout).toBe("CapEff:\t00000000000401e6\nCapBnd:\t00000000800405ff\n");
  });
});

describe("capabilities granted by a retain-set", () => {
  test("CAP_NET_RAW opens a packet socket", () => {
    const { outcomes } = probe(probeImage("net-raw", retaining("CAP_NET_RAW")), ["packet-socket", "mknod"]);
    expect(outcomes).toEqual({ "packet-socket": "ok", mknod: "EPERM" });
  });

  test("CAP_MKNOD makes a device node", () => {
    const { outcomes } = probe(probeImage("mknod", retaining("CAP_MKNOD")), ["mknod", "packet-socket"]);
    expect(outcomes).toEqual({ mknod: "ok", "packet-socket": "EPERM" });
  });

  test("CAP_SYS_PTRACE traces the app's own child, never the pod's PID 1 nor its memory", () => {
    const { outcomes } = probe(probeImage("ptrace", retaining("CAP_SYS_PTRACE")), ["ptrace-own-child", "ptrace-pod-init", "pod-init-memory"]);
    expect(outcomes).toEqual({ "ptrace-own-child": "ok", "ptrace-pod-init": "EPERM", "pod-init-memory": "ENOENT" });
  });

  test("CAP_SYS_ADMIN does not unmask the kernel's interfaces: the mount calls stay denied", () => {
    const { outcomes, capabilities } = probe(probeImage("sys-admin", retaining("CAP_SYS_ADMIN")), [
      "remount-proc-sys", "write-core-pattern", "mount", "unshare-user", "proc-keys-masked", "sys-firmware-masked",
    ]);
    expect(capabilities.CapEff).toBe("0000000000200000");
    expect(outcomes).toEqual({
      "remount-proc-sys": "EPERM",
      "write-core-pattern": "EROFS",
      mount: "EPERM",
      "unshare-user": "EPERM",
      "proc-keys-masked": "ok",
      "sys-firmware-masked": "ok",
    });
  });
});

describe("--insecure-options", () => {
  test("seccomp runs the pod's apps without the filter, no_new_privs stays", () => {
    const { outcomes } = probe(probeImage("no-seccomp"), ["seccomp", "no-new-privs", "mount"], ["--insecure-options=seccomp"]);
    expect(outcomes).toEqual({ seccomp: "ENODATA", "no-new-privs": "ok", mount: "EPERM" });
  });

  test("no-new-privs runs the pod's apps without it, the filter stays, also for an app that is not root", () => {
    const image = probeImage("no-nnp", { user: "1000", group: "1000" });
    const { outcomes } = probe(image, ["seccomp", "no-new-privs", "unshare-user"], ["--insecure-options=no-new-privs"]);
    expect(outcomes).toEqual({ seccomp: "ok", "no-new-privs": "ENODATA", "unshare-user": "EPERM" });
  });

  test("rkt 1.x's all (Nomad's default) drops the filter only: the default capabilities, masked paths and no_new_privs stay", () => {
    const { outcomes, capabilities } = probe(probeImage("all-options"), ["seccomp", "no-new-privs", "proc-keys-masked", "packet-socket"], ["--insecure-options=all"]);
    expect(capabilities).toEqual({ CapPrm: PODMAN_DEFAULT, CapEff: PODMAN_DEFAULT, CapBnd: PODMAN_DEFAULT });
    expect(outcomes).toEqual({ seccomp: "ENODATA", "no-new-privs": "ok", "proc-keys-masked": "ok", "packet-socket": "EPERM" });
  });

  test("options about fetching (all-fetch) leave the apps' confinement as it is", () => {
    const { outcomes } = probe(probeImage("fetch-options"), ["seccomp", "no-new-privs"], ["--insecure-options=all-fetch"]);
    expect(outcomes).toEqual({ seccomp: "ok", "no-new-privs": "ok" });
  });

  test("an unknown option is a usage error before any pod exists", () => {
    const result = rkt(data.path, ["--insecure-skip-verify", "run", "--insecure-options=seccomp,frobnicate", probeImage("unknown-option")]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--insecure-options "seccomp,frobnicate": unknown insecure option "frobnicate": known are none, image, tls, ondisk, http, pubkey, seccomp, no-new-privs, all-fetch, all-run, all');
  });

  test("without the filter, an app holding every capability PID 1 holds but CAP_SYS_PTRACE cannot trace it: PID 1 is not dumpable", () => {
    const pid1Capabilities = ["CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_SYS_CHROOT"];
    const image = probeImage("no-seccomp-ptrace", retaining(...pid1Capabilities));
    const { outcomes } = probe(image, ["ptrace-pod-init", "pod-init-memory"], ["--insecure-options=seccomp"]);
    expect(outcomes).toEqual({ "ptrace-pod-init": "EPERM", "pod-init-memory": "EACCES" });
  });
});
