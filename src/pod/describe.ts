// One pod as `rkt list` shows it, for `rkt status`: read from its own files.
import { listedApps } from "./manifest-apps";
import type { ListedPod } from "./list";
import type { Pod } from "./pod";
import { readPodManifest, readPodNetworks } from "./pod-files";
import { STATES_WITHOUT_APPS } from "./pod-state";

/** Throws when the pod's manifest cannot be read. */
export function describePod(pod: Pod): ListedPod {
  const state = pod.state();
  const listed: ListedPod = { uuid: pod.uuid, path: pod.path, state, networks: [], apps: [] };
  if (STATES_WITHOUT_APPS.includes(state)) return listed;
  listed.apps = listedApps(pod.dataDir, readPodManifest(pod.path).apps);
  if (state === "running") listed.networks = readPodNetworks(pod.path);
  return listed;
}
