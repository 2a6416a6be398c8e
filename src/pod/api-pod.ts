// A pod as rkt 1.x's JSON shows it (`api/v1.Pod` of rkt v1.30.0, docs/json-output.md): what
// `rkt status --format=json` prints, and `rkt list --format=json` for each pod. Fields we
// cannot fill honestly are left out, as Go's `omitempty` leaves empty ones.
import { statSync } from "node:fs";
import { join } from "node:path";
import type { ListedPod } from "./list";
import type { PodState } from "./pod";
import type { RuntimeApp, Volume } from "../appc";
import { readAppStatuses, readPodManifest, type PodNetwork } from "./pod-files";
import { resolveMounts } from "./volumes";

/** rkt 1.x's app states (api/v1.AppState). */
export type ApiAppState = "unknown" | "created" | "running" | "exited";

/** An entry of net-info.json, its `netConf` made a full path (rkt 1.x's netinfo.NetInfo). */
export type ApiNetwork = PodNetwork;

/** A volume mounted in an app (rkt 1.x's api/v1.Mount). */
export interface ApiMount {
  /** The volume's name. */
  name: string;
  container_path: string;
  /** The host volume's source; empty for an empty volume. */
  host_path: string;
  read_only: boolean;
}

export interface ApiApp {
  name: string;
  state: ApiAppState;
  /** Nanoseconds since the epoch, as rkt 1.x. */
  created_at?: number;
  started_at?: number;
  exit_code?: number;
  image_id: string;
  mounts?: ApiMount[];
}

export interface ApiPod {
  /** The pod's UUID. */
  name: string;
  state: PodState;
  networks?: ApiNetwork[];
  app_names?: string[];
  apps?: ApiApp[];
  /** Seconds since the epoch, as rkt 1.x. */
  created_at?: number;
  started_at?: number;
}

/** States whose pod has a manifest written by a finished prepare. */
const PREPARED: readonly PodState[] = ["prepared", "running", "exited", "deleting"];
/** States whose pod has been started. */
const STARTED: readonly PodState[] = ["running", "exited", "deleting"];

/** What rkt 1.x infers an app's state from for a pod whose apps start and stop together. */
function appStateOf(podState: PodState): ApiAppState {
  if (podState === "prepared") return "created";
  if (podState === "running") return "running";
  return STARTED.includes(podState) ? "exited" : "unknown";
}

export function apiPod(pod: ListedPod): ApiPod {
  const view: ApiPod = { name: pod.uuid, state: pod.state };
  if (pod.networks.length > 0) view.networks = pod.networks.map((n) => ({ ...n, netConf: n.netConf && join(pod.path, n.netConf) }));
  if (pod.apps.length === 0) return view;
  view.app_names = pod.apps.map((a) => a.name);
  // The pod manifest is written once, by prepare; stage1 writes `pid` (or `ppid`) when the pod starts.
  const created = PREPARED.includes(pod.state) ? modifiedAt(join(pod.path, "pod")) : undefined;
  const started = STARTED.includes(pod.state) ? (modifiedAt(join(pod.path, "pid")) ?? modifiedAt(join(pod.path, "ppid"))) : undefined;
  const exitCodes = STARTED.includes(pod.state) ? readAppStatuses(pod.path, view.app_names) : new Map<string, number>();
  const manifest = readPodManifest(pod.path);
  view.apps = pod.apps.map((app, i) => {
    const exitCode = exitCodes.get(app.name);
    // Keys in rkt 1.x's order; undefined ones are left out by JSON.stringify.
    return {
      name: app.name,
      state: exitCode === undefined ? appStateOf(pod.state) : "exited",
      created_at: created === undefined ? undefined : created * 1_000_000,
      started_at: started === undefined ? undefined : started * 1_000_000,
      exit_code: exitCode,
      image_id: app.imageId,
      mounts: mountsOf(manifest.apps[i], manifest.volumes ?? []),
    };
  });
  if (created !== undefined) view.created_at = Math.floor(created / 1000);
  if (started !== undefined) view.started_at = Math.floor(started / 1000);
  return view;
}

/** The app's mounts as prepare resolved them from the pod manifest (its app's mount points). */
function mountsOf(app: RuntimeApp | undefined, volumes: Volume[]): ApiMount[] | undefined {
  if (!app?.app) return undefined;
  const { mounts } = resolveMounts(app, app.app, volumes);
  if (mounts.length === 0) return undefined;
  return mounts.map((m) => ({ name: m.volume.name, container_path: m.path, host_path: m.volume.source ?? "", read_only: m.readOnly }));
}

/** The file's mtime in whole milliseconds since the epoch, or undefined when it does not exist. */
function modifiedAt(path: string): number | undefined {
  try {
    return Math.floor(statSync(path).mtimeMs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
