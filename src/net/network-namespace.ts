// The pod's network namespace, kept alive by a bind mount on `<pod>/netns` (stage1
// joins it; stage1's gc unmounts it). util-linux `unshare --net=FILE` makes the
// namespace and the mount in one short-lived process, and its `ip` brings `lo` up in it.
import { rmSync, writeFileSync } from "node:fs";
import { libc } from "../sys";

/** Creates a network namespace with `lo` up, bound at `path` (an absolute file path). */
export function createNetworkNamespace(path: string): void {
  writeFileSync(path, "", { mode: 0o600 });
  const result = Bun.spawnSync(["unshare", `--net=${path}`, "ip", "link", "set", "lo", "up"], { stdout: "ignore", stderr: "pipe" });
  if (result.exitCode !== 0) {
    releaseNetworkNamespace(path);
    throw new Error(`create network namespace at ${path}: ${result.stderr.toString().trim() || `unshare exited with status ${result.exitCode}`}`);
  }
}

/** Unmounts and removes the namespace's file; nothing there is fine. */
export function releaseNetworkNamespace(path: string): void {
  try {
    libc.umount(path, libc.MNT_DETACH);
  } catch {
    // not mounted (half-made namespace)
  }
  rmSync(path, { force: true });
}
