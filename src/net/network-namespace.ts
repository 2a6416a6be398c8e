// The pod's network namespace, kept alive by a bind mount on `<pod>/netns` (stage1
// joins it; stage1's gc unmounts it), made by the native library (no host tool needed).
import { rmSync, writeFileSync } from "node:fs";
import { libc, native } from "../sys";

/** Creates a network namespace with `lo` up, bound at `path` (an absolute file path). */
export function createNetworkNamespace(path: string): void {
  writeFileSync(path, "", { mode: 0o600 });
  try {
    native.createNetworkNamespace(path);
  } catch (err) {
    releaseNetworkNamespace(path);
    throw err;
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
