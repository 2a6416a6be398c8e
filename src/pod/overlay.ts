// Overlay mode (rkt-internals §4.4): each rendered tree in the store is the read-only
// lower layer of a per-pod overlayfs. The mounts are made in the host mount namespace
// right before stage1 starts, so a prepared pod holds none; gc unmounts them.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { libc } from "../sys";

/** Whether the kernel offers overlayfs (`/proc/filesystems` lists `nodev\toverlay`). */
export function overlaySupported(): boolean {
  try {
    return /^nodev\toverlay$/m.test(readFileSync("/proc/filesystems", "utf8"));
  } catch {
    return false;
  }
}

/** One overlay of a pod: a tree's rootfs, seen read-write at `target`. */
export interface OverlayLayer {
  /** `cas/tree/<key>/rootfs`. */
  lower: string;
  /** Where it appears, below the pod directory. */
  target: string;
  upper: string;
  work: string;
}

/** `overlay/<key>/upper[/<app>]` and `.../work[/<app>]`; stage1's have no app part. */
export function overlayDirs(podPath: string, key: string, appName?: string): { upper: string; work: string } {
  const base = join(podPath, "overlay", key);
  const tail = appName === undefined ? [] : [appName];
  return { upper: join(base, "upper", ...tail), work: join(base, "work", ...tail) };
}

/** The stage1 layer, then each app's (mounted on top of the stage1 rootfs). */
export function podOverlayLayers(podPath: string, treeRootfs: (key: string) => string, stage1Key: string, apps: { name: string; key: string }[]): OverlayLayer[] {
  const stage1Rootfs = join(podPath, "stage1", "rootfs");
  const layers: OverlayLayer[] = [{ lower: treeRootfs(stage1Key), target: stage1Rootfs, ...overlayDirs(podPath, stage1Key) }];
  for (const app of apps) {
    layers.push({
      lower: treeRootfs(app.key),
      target: join(stage1Rootfs, "opt", "stage2", app.name, "rootfs"),
      ...overlayDirs(podPath, app.key, app.name),
    });
  }
  return layers;
}

/** Creates the upper and work directories of each layer (at prepare time). */
export function createOverlayDirs(layers: readonly OverlayLayer[]): void {
  for (const l of layers) {
    mkdirSync(l.upper, { recursive: true, mode: 0o755 });
    mkdirSync(l.work, { recursive: true, mode: 0o700 });
  }
  mkdirSync(layers[0]!.target, { recursive: true, mode: 0o755 });
}

/** Mounts the layers in order; the app targets exist once the stage1 layer is mounted. */
export function mountOverlays(layers: readonly OverlayLayer[]): void {
  const mounted: string[] = [];
  try {
    for (const l of layers) {
      if (!existsSync(l.lower)) throw new Error(`overlay lower directory ${l.lower} is missing: the image's tree was removed from the store`);
      libc.mount("overlay", l.target, "overlay", 0, `lowerdir=${l.lower},upperdir=${l.upper},workdir=${l.work}`);
      mounted.push(l.target);
    }
  } catch (err) {
    for (const target of mounted.reverse()) libc.umount(target, libc.MNT_DETACH);
    throw err;
  }
}
