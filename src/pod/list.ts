// What `rkt list` shows: every pod in prepare, prepared, run and exited-garbage with its
// state and apps. One native call reads the directories, locks and files (no store, no
// processes), so a thousand pods stay fast.
import { readFileSync } from "node:fs";
import type { RuntimeApp } from "../appc";
import { StoreLayout } from "../store/layout";
import { native, SysError } from "../sys";
import { decodeListSummary, LIST_SUMMARY_FILE } from "./list-summary";
import { LISTED_DIR_STATES, podsDir, podState, type Pod, type PodState } from "./pod";
import { parsePodManifest, parsePodNetworks, readPodManifest, readPodNetworks, storeKeyOf, type PodNetwork } from "./pod-files";

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

const STATES_WITHOUT_APPS: readonly PodState[] = ["preparing", "aborted prepare", "deleting"];

export function listPods(dataDir: string): PodListing {
  const layout = new StoreLayout(dataDir);
  const dir = podsDir(dataDir);
  const pods: ListedPod[] = [];
  const problems: string[] = [];
  for (const found of native.scanPods(dir, LISTED_DIR_STATES)) {
    const dirState = LISTED_DIR_STATES[found.stateIndex]!;
    // Not path.join: normalising a thousand paths costs more than the rest of a pod.
    const path = `${dir}/${dirState}/${found.name}`;
    const state = podState(dirState, found.locked);
    const listed: ListedPod = { uuid: found.name, path, state, networks: [], apps: [] };
    if (!STATES_WITHOUT_APPS.includes(state)) {
      let apps: ListedApp[];
      try {
        apps = scannedApps(layout, found, path);
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

/** One pod as listPods shows it, for `rkt status`; throws when its manifest cannot be read. */
export function describePod(pod: Pod): ListedPod {
  const state = pod.state();
  const listed: ListedPod = { uuid: pod.uuid, path: pod.path, state, networks: [], apps: [] };
  if (STATES_WITHOUT_APPS.includes(state)) return listed;
  listed.apps = listedApps(new StoreLayout(pod.dataDir), readPodManifest(pod.path).apps);
  if (state === "running") listed.networks = readPodNetworks(pod.path);
  return listed;
}

function listedApps(layout: StoreLayout, apps: RuntimeApp[]): ListedApp[] {
  return apps.map((app) => ({ name: app.name, imageName: app.image?.name ?? storedImageName(layout, app.image?.id), imageId: app.image?.id ?? "" }));
}

/** The apps from the pod's list summary, else from its manifest; throws the problem's line. */
function scannedApps(layout: StoreLayout, found: native.ScannedPod, path: string): ListedApp[] {
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
    return listedApps(layout, parsePodManifest(found.manifest, manifest).apps);
  } catch (err) {
    throw new Error(`Unable to read pod manifest: ${(err as Error).message}`);
  }
}

/** The name in the stored image manifest, for pod manifests that carry only the ID. */
function storedImageName(layout: StoreLayout, imageId: string | undefined): string {
  if (!imageId) return "";
  try {
    return String((JSON.parse(readFileSync(layout.manifest(storeKeyOf(imageId)), "utf8")) as { name?: unknown }).name ?? "");
  } catch {
    return "";
  }
}
