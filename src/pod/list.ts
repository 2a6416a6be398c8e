// What `rkt list` shows: every pod in prepare, prepared, run and exited-garbage with its
// state and apps. Reads files only (no store, no processes), so a thousand pods stay fast.
import { readFileSync } from "node:fs";
import type { RuntimeApp } from "../appc";
import { StoreLayout } from "../store";
import { LISTED_DIR_STATES, Pod, type PodState } from "./pod";
import { formatNetworks, readPodManifest, readPodNetworks, storeKeyOf } from "./pod-files";

export interface ListedApp {
  name: string;
  /** The image name from the pod manifest, else from the image manifest in the store. */
  imageName: string;
}

export interface ListedPod {
  uuid: string;
  state: PodState;
  /** `NAME:ip4=IP, ...` for running pods, else empty. */
  networks: string;
  /** Empty for pods whose manifest is not read (preparing, aborted, being deleted). */
  apps: ListedApp[];
}

export interface PodListing {
  pods: ListedPod[];
  /** One line per pod that could not be read; those pods are left out. */
  problems: string[];
}

const STATES_WITHOUT_APPS: readonly PodState[] = ["preparing", "aborted prepare", "deleting"];

export function listPods(dataDir: string): PodListing {
  const layout = new StoreLayout(dataDir);
  const pods: ListedPod[] = [];
  const problems: string[] = [];
  for (const pod of Pod.list(dataDir, LISTED_DIR_STATES)) {
    const state = pod.state();
    const listed: ListedPod = { uuid: pod.uuid, state, networks: "", apps: [] };
    if (!STATES_WITHOUT_APPS.includes(state)) {
      let apps: RuntimeApp[];
      try {
        apps = readPodManifest(pod.path).apps;
      } catch (err) {
        problems.push(`Unable to read pod manifest: ${(err as Error).message}`);
        continue;
      }
      if (apps.length === 0) {
        problems.push(`Pod ${pod.uuid} contains zero apps`);
        continue;
      }
      listed.apps = apps.map((app) => ({ name: app.name, imageName: app.image?.name ?? storedImageName(layout, app.image?.id) }));
      if (state === "running") listed.networks = formatNetworks(readPodNetworks(pod.path));
    }
    pods.push(listed);
  }
  return { pods, problems };
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
