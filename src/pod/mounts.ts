// Mounts left below a pod directory (overlays made by stage0, a netns bind, anything a
// crash left behind), found in /proc/self/mountinfo and taken down deepest first.
import { readFileSync } from "node:fs";
import { libc, SysError } from "../sys";

/** Every mount point of this mount namespace, in /proc/self/mountinfo order. */
export function readMountPoints(): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => unescapeMountPath(line.split(" ")[4]!));
}

/**
 * Mount points at or below `root` (an absolute path without symlinks), deepest first;
 * `points` is a readMountPoints() snapshot, read now when not given.
 */
export function mountsBelow(root: string, points: readonly string[] = readMountPoints()): string[] {
  const prefix = root.endsWith("/") ? root : root + "/";
  const below = points.filter((p) => p === root || p.startsWith(prefix));
  // Later entries may sit on top of earlier ones at the same path: reverse first, then
  // a stable sort by depth keeps that order among equals.
  return below.reverse().sort((a, b) => depth(b) - depth(a));
}

function depth(path: string): number {
  return path.split("/").length;
}

/** mountinfo escapes space, tab, newline and backslash as `\ooo`. */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Unmounts everything below `root`. Vanished or already-unmounted points (EINVAL,
 * ENOENT, e.g. after a reboot) are fine; a busy one is detached lazily as the last resort.
 */
export function unmountBelow(root: string, points?: readonly string[]): void {
  for (const point of mountsBelow(root, points)) {
    try {
      libc.umount(point, 0);
    } catch (err) {
      if (!(err instanceof SysError)) throw err;
      if (err.code === "EINVAL" || err.code === "ENOENT") continue;
      libc.umount(point, libc.MNT_DETACH);
    }
  }
}
