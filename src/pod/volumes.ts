// Pod volumes in the apps: mounts asked for on the command line (`--mount`, parsed in
// cli/pod-flag-values.ts) and the matching of app mount points to pod volumes (appc.md §5.2).
import type { App, Mount, MountPoint, RuntimeApp, Volume } from "../appc";

/** A pod volume mounted at a path in every app (`--mount`). */
export interface MountFlag {
  volume: string;
  target: string;
}

/**
 * Adds a mount point for each `--mount` to the app, named after its volume (suffixed
 * when the name is taken), and the pod-manifest `mounts` entry that binds it.
 */
export function applyMountFlags(app: App, mounts: MountFlag[]): Mount[] {
  const bindings: Mount[] = [];
  if (mounts.length === 0) return bindings;
  const points: MountPoint[] = (app.mountPoints ??= []);
  for (const m of mounts) {
    let name = m.volume;
    for (let n = 2; points.some((p) => p.name === name); n++) name = `${m.volume}-${n}`;
    points.push({ name, path: m.target });
    bindings.push({ volume: m.volume, mountPoint: name });
  }
  return bindings;
}

/** A mount point resolved to its volume, with the effective read-only flag. */
export interface ResolvedMount {
  volume: Volume;
  path: string;
  readOnly: boolean;
}

/**
 * Finds each mount point's volume: an explicit `mounts` entry first, else the volume of
 * the same name. Returns the names of mount points that have none.
 */
export function resolveMounts(runtimeApp: RuntimeApp, app: App, volumes: Volume[]): { mounts: ResolvedMount[]; missing: MountPoint[] } {
  const mounts: ResolvedMount[] = [];
  const missing: MountPoint[] = [];
  for (const point of app.mountPoints ?? []) {
    const binding = runtimeApp.mounts?.find((m) => m.mountPoint === point.name);
    const volumeName = binding?.volume ?? point.name;
    const volume = volumes.find((v) => v.name === volumeName);
    if (!volume) {
      missing.push(point);
      continue;
    }
    mounts.push({ volume, path: point.path, readOnly: volume.readOnly ?? point.readOnly ?? false });
  }
  return { mounts, missing };
}

/** rkt's hint for an app whose mount points lack volumes (rkt-cli §3.1.1). */
export function missingVolumeMessage(appName: string, imageKey: string, missing: MountPoint[]): string {
  return [
    `no volume for mountpoint "${missing[0]!.name}" in app "${appName}".`,
    "You can inspect the volumes with:",
    `\tsudo rkt image cat-manifest --pretty-print ${imageKey}`,
    `App "${appName}" requires the following volumes:`,
    ...missing.map((p) => `\t--volume ${p.name},kind=host,source=/some/path`),
  ].join("\n");
}
