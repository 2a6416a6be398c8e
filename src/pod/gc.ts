// `rkt gc` (rkt-cli §3.10): mark exited pods, failed prepares and expired prepared pods
// as garbage, then delete garbage whose grace period is over, and the list cache's records
// of the deleted pods. Busy pods are skipped and retried by the next gc; one pod's failure
// does not stop the others.
import { Pod, type PodDirState } from "./pod";
import { collectPod, type CollectOptions } from "./collect";
import { compactListCache } from "./list-cache";
import { readMountPoints } from "./mounts";
import { readableErrorMessage } from "../sys";

export interface GcOptions extends CollectOptions {
  /** How long an exited pod stays in exited-garbage after gc marked it. */
  gracePeriodMs: number;
  /** How long a prepared pod may wait for run-prepared. */
  expirePreparedMs: number;
}

/**
 * Runs the five steps; returns false when a pods directory could not be listed or a pod
 * that should have been moved or deleted remains (busy pods are not failures).
 */
export async function garbageCollect(dataDir: string, opts: GcOptions): Promise<boolean> {
  let complete = true;
  const each = (dirState: PodDirState, visit: (pod: Pod) => void): void => {
    let pods: Pod[];
    try {
      pods = Pod.list(dataDir, [dirState]);
    } catch (err) {
      opts.output.stderr(`Unable to list pods in ${dirState}: ${readableErrorMessage((err as Error).message)}`);
      complete = false;
      return;
    }
    for (const pod of pods) {
      try {
        visit(pod);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // another gc or rm got there first
        opts.output.stderr(readableErrorMessage((err as Error).message));
        complete = false;
      }
    }
  };
  const olderThan = (pod: Pod, ms: number): boolean => Date.now() >= pod.changedAt().getTime() + ms;
  // Marking renames many pods: one fsync per destination directory, before the sweep.
  const marked = new Set<PodDirState>();
  const mark = (pod: Pod, next: PodDirState): void => {
    pod.moveTo(next, { syncParent: false });
    marked.add(next);
  };

  each("run", (pod) => {
    if (pod.state() !== "exited") return;
    opts.output.stderr(`Moving pod "${pod.uuid}" to garbage`);
    mark(pod, "exited-garbage");
  });
  each("prepare", (pod) => {
    if (pod.state() !== "aborted prepare") return;
    opts.output.stderr(`Moving failed prepare "${pod.uuid}" to garbage`);
    mark(pod, "garbage");
  });
  each("prepared", (pod) => {
    if (!olderThan(pod, opts.expirePreparedMs) || pod.isLockedElsewhere()) return;
    opts.output.stderr(`Moving expired prepared pod "${pod.uuid}" to garbage`);
    mark(pod, "garbage");
  });
  for (const dirState of marked) Pod.syncStateDir(dataDir, dirState);
  // One read of mountinfo for every pod deleted below, not one per pod.
  const sweep: CollectOptions = { ...opts, mountPoints: readMountPoints() };
  each("exited-garbage", (pod) => {
    if (olderThan(pod, opts.gracePeriodMs)) collectPod(pod, sweep);
  });
  each("garbage", (pod) => collectPod(pod, sweep));
  try {
    await compactListCache(dataDir);
  } catch (err) {
    // Not a failure of gc: the records of removed pods only take room until the next gc.
    opts.output.stderr(`Unable to compact the pod list cache: ${readableErrorMessage((err as Error).message)}`);
  }
  return complete;
}
