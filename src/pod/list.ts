// What `rkt list` shows: every pod in prepare, prepared, run and exited-garbage with its
// state and apps. One native call reads the directories, locks and files (no store, no
// processes), so a thousand pods stay fast. Nothing this module imports loads node:fs
// (3 ms of a list's start): src/sys by its files, not its index.
import type { RuntimeApp } from "../appc";
import { scanPods, type ScannedPod } from "../sys/list-library";
import { SysError } from "../sys/sys-error";
import { decodeListSummary, LIST_SUMMARY_FILE } from "./list-summary";
import { parsePodManifest, parsePodNetworks, type PodNetwork } from "./pod-file-texts";
import { LISTED_DIR_STATES, podsDir, podState, STATES_WITHOUT_APPS, type PodState } from "./pod-state";

export interface ListedApp {
  name: string;
  /** The image name from the pod manifest, else from the image manifest in the store. */
  imageName: string;
  /** The image ID as the pod manifest gives it. */
  imageId: string;
}

export interface ListedPod {
  uuid: string;
  /** The pod's directory. */
  path: string;
  state: PodState;
  /** The networks of a running pod, else empty. */
  networks: PodNetwork[];
  /** Empty for pods whose manifest is not read (preparing, aborted, being deleted). */
  apps: ListedApp[];
}

export interface PodListing {
  /** By UUID. */
  pods: ListedPod[];
  /** One line per pod that could not be read; those pods are left out. */
  problems: string[];
}

export async function listPods(dataDir: string): Promise<PodListing> {
  const dir = podsDir(dataDir);
  const pods: ListedPod[] = [];
  const problems: string[] = [];
  const scanned = await scanPods(dir, LISTED_DIR_STATES);
  // Only pods prepared without a list summary need the store, through node:fs.
  const listedApps = scanned.some((found) => found.manifest !== undefined) ? (await import("./manifest-apps")).listedApps : undefined;
  const appsOfManifest = (apps: RuntimeApp[]) => listedApps!(dataDir, apps);
  for (const found of scanned) {
    const dirState = LISTED_DIR_STATES[found.stateIndex]!;
    // Not path.join: normalising a thousand paths costs more than the rest of a pod.
    const path = `${dir}/${dirState}/${found.name}`;
    const state = podState(dirState, found.locked);
    const listed: ListedPod = { uuid: found.name, path, state, networks: [], apps: [] };
    if (!STATES_WITHOUT_APPS.includes(state)) {
      let apps: ListedApp[];
      try {
        apps = scannedApps(found, path, appsOfManifest);
      } catch (err) {
        problems.push((err as Error).message);
        continue;
      }
      if (apps.length === 0) {
        problems.push(`Pod ${found.name} contains zero apps`);
        continue;
      }
      listed.apps = apps;
      if (state === "running" && found.networks !== undefined) listed.networks = parsePodNetworks(found.networks);
    }
    pods.push(listed);
  }
  return { pods, problems };
}

/** The apps from the pod's list summary, else from its manifest; throws the problem's line. */
function scannedApps(found: ScannedPod, path: string, fromManifest: (apps: RuntimeApp[]) => ListedApp[]): ListedApp[] {
  if (found.apps !== undefined) return found.apps;
  const summary = `${path}/${LIST_SUMMARY_FILE}`;
  const manifest = `${path}/pod`;
  try {
    if (found.summary !== undefined) return decodeListSummary(found.summary, summary);
    if (found.summaryErrno !== undefined) throw new SysError("open", summary, found.summaryErrno);
  } catch (err) {
    throw new Error(`Unable to read pod list summary: ${(err as Error).message}`);
  }
  try {
    if (found.manifest === undefined) throw new SysError("open", manifest, found.manifestErrno ?? 0);
    return fromManifest(parsePodManifest(found.manifest, manifest).apps);
  } catch (err) {
    throw new Error(`Unable to read pod manifest: ${(err as Error).message}`);
  }
}
