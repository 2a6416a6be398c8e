// Reading what stage0 and stage1 leave in a pod directory (stage1/README.md,
// rkt-internals §4.3): the pod manifest, the stage1 key, app exit statuses, networks.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PodManifest } from "../appc";
import { readableErrorMessage } from "../sys";
import { overlayDirs } from "./overlay";
import type { Pod } from "./pod";
import { parsePodManifest, parsePodNetworks, type PodNetwork } from "./pod-file-texts";

export { formatNetworks, parsePodManifest, parsePodNetworks, storeKeyOf, type PodNetwork } from "./pod-file-texts";

const PID_POLL_MS = 100;

/** The pod manifest as stage0 wrote it. */
export function readPodManifest(podPath: string): PodManifest {
  const file = join(podPath, "pod");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(readableErrorMessage((err as Error).message));
  }
  return parsePodManifest(text, file);
}

/** The store key of the pod's stage1 image (`stage1ID`), or undefined before prepare wrote it. */
export function readStage1Id(podPath: string): string | undefined {
  try {
    return readFileSync(join(podPath, "stage1ID"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether prepare set the pod up for overlayfs (it leaves `overlay-prepared`). */
export function usesOverlay(podPath: string): boolean {
  return existsSync(join(podPath, "overlay-prepared"));
}

/**
 * What prepare and stage1 wrote into the stage1 root, as stage0 reads it: with overlay,
 * the stage1 overlay's upper dir (the mount exists only while the pod runs, in its own
 * mount namespace), else the stage1 rootfs copy.
 */
export function stage1WrittenRoot(podPath: string): string {
  const stage1Id = usesOverlay(podPath) ? readStage1Id(podPath) : undefined;
  return stage1Id ? overlayDirs(podPath, stage1Id).upper : join(podPath, "stage1", "rootfs");
}

/** Exit status per app, for the apps that have one, in the given order. */
export function readAppStatuses(podPath: string, appNames: readonly string[]): Map<string, number> {
  const dir = join(stage1WrittenRoot(podPath), "rkt", "status");
  const statuses = new Map<string, number>();
  for (const name of appNames) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), "utf8").trim();
    } catch {
      continue; // no status yet: stage1 writes them when the pod exits
    }
    if (!/^-?\d+$/.test(text)) throw new Error(`bad exit status of app "${name}" in ${join(dir, name)}: "${text}"`);
    statuses.set(name, Number(text));
  }
  return statuses;
}

/** The networks the pod joined (`net-info.json`); empty with host networking. */
export function readPodNetworks(podPath: string): PodNetwork[] {
  let text: string;
  try {
    text = readFileSync(join(podPath, "net-info.json"), "utf8");
  } catch {
    return [];
  }
  return parsePodNetworks(text);
}

/**
 * The host PID of the pod's PID 1: `pid`, else the single child of `ppid`
 * (rkt-internals §5.2). Undefined while stage1 has not published it yet.
 */
export function readPodPid(podPath: string): number | undefined {
  const pid = readPidFile(join(podPath, "pid"));
  if (pid !== undefined) return pid;
  const ppid = readPidFile(join(podPath, "ppid"));
  return ppid === undefined ? undefined : singleChildOf(ppid);
}

/**
 * The running pod's PID 1, polling every 100 ms until stage1 has published it;
 * undefined when the pod stops running first.
 */
export function publishedPodPid(pod: Pod): number | undefined {
  for (;;) {
    const pid = readPodPid(pod.path);
    if (pid !== undefined) return pid;
    if (pod.state() !== "running") return undefined;
    Bun.sleepSync(PID_POLL_MS);
  }
}

function readPidFile(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
  if (!/^\d+$/.test(text)) throw new Error(`bad PID in ${path}: "${text}"`);
  return Number(text);
}

function singleChildOf(ppid: number): number | undefined {
  let children: number[];
  try {
    children = readFileSync(`/proc/${ppid}/task/${ppid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    children = childrenByScan(ppid);
  }
  if (children.length > 1) throw new Error(`process ${ppid} (ppid of the pod) has ${children.length} children, expected one`);
  return children[0];
}

/** Kernels without the `children` file: look at every process's parent. */
function childrenByScan(ppid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the parenthesised command name: state, ppid, ...
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === ppid) children.push(Number(entry));
    } catch {
      // the process exited meanwhile
    }
  }
  return children;
}
