// The states of a pod (rkt-internals §4): the directory under `pods/` it lives in, and
// whether some process holds its lock. Apart from src/pod/pod.ts's Pod, for `rkt list`,
// which needs the names and not the file operations (nor node:fs, 3 ms to load).
import { join } from "node:path";

/** The directories under `pods/`, in the order a UUID is looked up. */
export const POD_DIR_STATES = ["embryo", "prepare", "prepared", "run", "exited-garbage", "garbage"] as const;
export type PodDirState = (typeof POD_DIR_STATES)[number];

/** What `rkt list` and `rkt status` show. */
export type PodState =
  | "embryo"
  | "preparing"
  | "aborted prepare"
  | "prepared"
  | "running"
  | "deleting"
  | "exited"
  | "garbage";

/** Pods a UUID argument may name, and the ones `rkt list` shows. */
export const LISTED_DIR_STATES: readonly PodDirState[] = ["prepare", "prepared", "run", "exited-garbage"];

/** The state of a pod in `dirState` whose lock some process holds (`locked`) or not (rkt-internals §4.1). */
export function podState(dirState: PodDirState, locked: boolean): PodState {
  switch (dirState) {
    case "embryo":
      return "embryo";
    case "prepare":
      return locked ? "preparing" : "aborted prepare";
    case "prepared":
      return "prepared";
    case "run":
      return locked ? "running" : "exited";
    case "exited-garbage":
      return locked ? "deleting" : "exited";
    case "garbage":
      return locked ? "deleting" : "garbage";
  }
}

export function podsDir(dataDir: string): string {
  return join(dataDir, "pods");
}

/** Pods in these states are listed without apps: their manifests are not read. */
export const STATES_WITHOUT_APPS: readonly PodState[] = ["preparing", "aborted prepare", "deleting"];
