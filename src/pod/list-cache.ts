// The list cache, `pods/list-cache` (native/list_cache.c): prepare appends each pod's list
// summary to it, keyed by the pod's UUID and the inode of its directory, so that `rkt list`
// reads one file instead of one per pod; gc drops the records of the pods it removed.
// Listing never depends on it: a pod without a valid record is read from its own files.
import { listLibrary } from "../sys";
import { LISTED_DIR_STATES, podsDir, type Pod } from "./pod";

/** Records `pod`'s list summary; a failure only leaves the pod to be listed from its own file. */
export async function cacheListSummary(pod: Pod, summary: Buffer): Promise<void> {
  try {
    await listLibrary.appendListCache(podsDir(pod.dataDir), pod.path, summary);
  } catch {
    // Not an error of prepare: the cache only saves time, and nothing reads a record it lacks.
  }
}

/** Rewrites the cache with only the records of pods `rkt list` can still show. */
export function compactListCache(dataDir: string): Promise<void> {
  return listLibrary.compactListCache(podsDir(dataDir), LISTED_DIR_STATES);
}
