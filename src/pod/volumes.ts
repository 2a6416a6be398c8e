// `--volume` (rkt-cli §3.1.1) and `--mount` (a later rkt flag) values, and the matching
// of app mount points to pod volumes (appc.md §5.2).
import { isAbsolute } from "node:path";
import { acNameProblem, controlCharacterProblem, parseGoBool, type App, type Mount, type MountPoint, type RuntimeApp, type Volume } from "../appc";

/** `key=value` pairs separated by `,`, values percent-decoded, each key at most once. */
function parseParams(text: string, what: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of text.split(",")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = decodeURIComponent(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? "" : decodeURIComponent(part.slice(eq + 1));
    if (params.has(key)) throw new Error(`${what} parameter "${key}" specified more than once`);
    params.set(key, value);
  }
  return params;
}

/** `NAME,kind=host,source=PATH[,readOnly=BOOL]` or `NAME,kind=empty[,readOnly=BOOL]`. */
export function parseVolumeFlag(text: string): Volume {
  // Before the text is quoted in any message below.
  const textProblem = controlCharacterProblem(text);
  if (textProblem) throw new Error(textProblem);
  const comma = text.indexOf(",");
  const name = comma === -1 ? text : text.slice(0, comma);
  const nameProblem = acNameProblem(name);
  if (nameProblem) throw new Error(`volume name ${nameProblem}`);
  const params = parseParams(comma === -1 ? "" : text.slice(comma + 1), "volume");
  const volume: Partial<Volume> & { name: string } = { name };
  for (const [key, value] of params) {
    switch (key) {
      case "kind":
        if (value !== "host" && value !== "empty") throw new Error(`unrecognized volume kind "${value}": should be one of "empty", "host"`);
        volume.kind = value;
        break;
      case "source": {
        const problem = controlCharacterProblem(value);
        if (problem) throw new Error(`source ${problem}`);
        volume.source = value;
        break;
      }
      case "readOnly":
        volume.readOnly = parseGoBool(value);
        if (volume.readOnly === undefined) throw new Error(`invalid argument "${value}" for readOnly: must be true or false`);
        break;
      default:
        throw new Error(`unknown volume parameter "${key}"`);
    }
  }
  if (volume.kind === undefined) throw new Error(`unrecognized volume kind: should be one of "empty", "host"`);
  if (volume.kind === "host") {
    if (!volume.source) throw new Error("source for host volume cannot be empty");
    if (!isAbsolute(volume.source)) throw new Error("source for host volume must be absolute path");
  } else if (volume.source !== undefined) {
    throw new Error("source for empty volume must be empty");
  }
  return volume as Volume;
}

export interface MountFlag {
  volume: string;
  target: string;
}

/** `volume=NAME,target=PATH`: mount a pod volume at PATH in every app. */
export function parseMountFlag(text: string): MountFlag {
  const params = parseParams(text, "mount");
  for (const key of params.keys()) {
    if (key !== "volume" && key !== "target") throw new Error(`unknown mount parameter "${key}"`);
  }
  const volume = params.get("volume");
  const target = params.get("target");
  for (const [key, value] of params) {
    const problem = controlCharacterProblem(value);
    if (problem) throw new Error(`${key} ${problem}`);
  }
  if (!volume || !target) throw new Error("must be volume=NAME,target=PATH");
  if (!isAbsolute(target)) throw new Error("target must be an absolute path");
  return { volume, target };
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
