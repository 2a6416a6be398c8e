// Images and helpers shared by the run/prepare/enter end-to-end tests: small ACIs whose
// userland is Debian's static busybox, and readers for what a pod left behind.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { busybox, imageManifest, makeTestAci, rkt, rktBinary, type TestImageSpec } from "../support/harness";

const applets = ["sh", "cat", "echo", "env", "id", "ls", "sleep", "test", "true", "false", "dd", "mkdir", "pidof", "touch", "stat", "readlink", "head"];

/** A busybox image: `/bin/busybox` plus the applet links above, /etc/passwd and /etc/group. */
export function busyboxImage(dir: string, name: string, app: Record<string, unknown> | undefined, extra: Partial<TestImageSpec> & { manifest?: Record<string, unknown> } = {}): string {
  const fileName = `${name.replace(/[^a-z0-9]+/gi, "-")}.aci`;
  return makeTestAci(dir, fileName, {
    manifest: imageManifest(name, { ...(app ? { app: { user: "0", group: "0", ...app } } : {}), ...extra.manifest }),
    copies: { "bin/busybox": busybox },
    symlinks: Object.fromEntries(applets.map((a) => [`bin/${a}`, "busybox"])),
    files: {
      "etc/passwd": "root:x:0:0:root:/root:/bin/sh\nweb:x:1000:1000::/srv:/bin/sh\n",
      "etc/group": "root:x:0:\nweb:x:1000:\nwheel:x:10:web\n",
      ...extra.files,
    },
  });
}

/** An app that runs a shell script; arguments after `--` become $1, $2, ... */
export function shellApp(script: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { exec: ["/bin/sh", "-c", script, "sh"], ...extra };
}

/** The pods of a data directory, by state directory. */
export function podsIn(dataDir: string): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  const pods = join(dataDir, "pods");
  if (!existsSync(pods)) return result;
  for (const state of readdirSync(pods, { withFileTypes: true })) {
    if (!state.isDirectory()) continue; // the list cache
    const uuids = readdirSync(join(pods, state.name));
    if (uuids.length) result[state.name] = uuids;
  }
  return result;
}

/** Exit status per app of an exited pod, read where stage1 wrote them. */
export function appStatuses(dataDir: string, uuid: string): Record<string, number> {
  const pod = join(dataDir, "pods", "run", uuid);
  const stage1Id = readFileSync(join(pod, "stage1ID"), "utf8");
  const dir = existsSync(join(pod, "overlay-prepared")) ? join(pod, "overlay", stage1Id, "upper", "rkt", "status") : join(pod, "stage1", "rootfs", "rkt", "status");
  return Object.fromEntries(readdirSync(dir).map((app) => [app, Number(readFileSync(join(dir, app), "utf8").trim())]));
}

/** Starts `rkt run` in the background (for enter and signal tests). */
export function spawnRkt(dataDir: string, args: string[]) {
  return Bun.spawn([rktBinary, `--dir=${dataDir}`, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
}

/** Waits until `check` returns a value (polling every 50 ms), or fails after `ms`. */
export async function waitFor<T>(what: string, check: () => T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

/**
 * Garbage-collects every exited pod (mark, then sweep), so stage1's gc removes the
 * cgroups the pods made; the data directory's cleanup then removes the rest.
 */
export function collectPods(dataDir: string): void {
  for (let pass = 0; pass < 2; pass++) rkt(dataDir, ["gc", "--grace-period=0s"]);
}
