// What `rkt status` reports about one pod (rkt-cli §3.8), and `--wait`.
import { Pod, type PodState } from "./pod";
import { formatNetworks, publishedPodPid, readAppStatuses, readPodManifest, readPodNetworks } from "./pod-files";

export interface PodStatus {
  state: PodState;
  /** Only for running pods; empty with host networking. */
  networks?: string;
  /** Only for pods that ran: the pod's PID 1, -1 once it exited. */
  pid?: number;
  exited?: boolean;
  /** Exit status per app that has one, in pod-manifest order. */
  appStatuses: Map<string, number>;
}

/** States whose pod has been started at some point. */
const RAN: readonly PodState[] = ["running", "exited", "deleting"];

export function podStatus(pod: Pod): PodStatus {
  const state = pod.state();
  if (!RAN.includes(state)) return { state, appStatuses: new Map() };
  const status: PodStatus = { state, appStatuses: new Map() };
  if (state === "running") status.networks = formatNetworks(readPodNetworks(pod.path));
  status.pid = state === "running" ? (publishedPodPid(pod) ?? -1) : -1;
  status.exited = status.pid === -1;
  const appNames = readPodManifest(pod.path).apps.map((a) => a.name);
  status.appStatuses = readAppStatuses(pod.path, appNames);
  return status;
}

/**
 * Blocks until the pod has run and exited: a blocking shared lock waits out whoever
 * holds the pod, and a prepared pod is polled once a second until something runs it.
 * Returns the pod at its current place.
 */
export function waitPodExited(uuid: string, dataDir: string): Pod {
  for (;;) {
    const pod = Pod.load(dataDir, uuid);
    if (pod.dirState === "prepared") {
      Bun.sleepSync(1000);
      continue;
    }
    try {
      pod.waitUnlocked();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // moved meanwhile
      throw err;
    }
    // `rkt prepare` releases its lock once the pod is prepared: keep waiting then.
    const now = Pod.load(dataDir, uuid);
    if (now.dirState !== "prepared") return now;
  }
}
