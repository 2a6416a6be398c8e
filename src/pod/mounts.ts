// Mounts left below a pod directory (overlays made by stage0, a netns bind, anything a
// crash left behind), found in /proc/self/mountinfo and taken down deepest first.
import { readFileSync } from "node:fs";
import { libc, SysError } from "../sys";

/** Mount points at or below `root` (an absolute path without symlinks), deepest first. */
export function mountsBelow(root: string): string[] {
  const prefix = root.endsWith("/") ? root : root + "/";
  const points = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => unescapeMountPath(line.split(" ")[4]!))
    .filter((p) => p === root || p.startsWith(prefix));
  // Later entries may sit on top of earlier ones at the same path: reverse first, then
  // a stable sort by depth keeps that order among equals.
  return points.reverse().sort((a, b) => depth(b) - depth(a));
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
export function unmountBelow(root: string): void {
  for (const point of mountsBelow(root)) {
    try {
      libc.umount(point, 0);
    } catch (err) {
      if (!(err instanceof SysError)) throw err;
      if (err.code === "EINVAL" || err.code === "ENOENT") continue;
      libc.umount(point, libc.MNT_DETACH);
    }
  }
}
