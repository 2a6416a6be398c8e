// `rkt image gc` (rkt 1.x): which stored images may go. An image stays while a pod names
// it (imageKeysInUse: pods preparing, prepared, running, exited, exited-garbage) and
// while it was used (imported, fetched, or chosen by a pod) within the grace period.
// Trees whose image is gone are removed too, unless a pod names them.
import type { Store } from "../store";

/**
 * The keys of the images to remove at `now`. The caller holds the image claims lock
 * exclusively (withImageClaimsLock) from reading `inUse` until they are removed, so no
 * pod can claim one meanwhile.
 */
export function unusedImages(store: Store, inUse: ReadonlySet<string>, gracePeriodMs: number, now = Date.now()): string[] {
  return store.index
    .allAciInfos()
    .filter((info) => !inUse.has(info.key) && now - store.lastUsed(info).getTime() > gracePeriodMs)
    .map((info) => info.key);
}

/** The trees to remove: their image is gone and no pod names them. The caller holds the image claims lock exclusively. */
export function orphanTrees(store: Store, inUse: ReadonlySet<string>): string[] {
  return store.orphanTreeKeys().filter((key) => !inUse.has(key));
}
