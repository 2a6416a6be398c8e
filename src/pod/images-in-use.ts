// Which store images pods still need, so `rkt image rm` refuses to remove them.
import { mkdirSync } from "node:fs";
import { FileLock, type LockMode } from "../sys";
import { LISTED_DIR_STATES, Pod, podsDir } from "./pod";
import { readPodManifest, readStage1Id, storeKeyOf } from "./pod-files";

/**
 * The store keys used by pods in prepare, prepared, run and exited-garbage: their apps'
 * images and their stage1. Pods without a readable manifest (still preparing) add only
 * what they have.
 */
export function imageKeysInUse(dataDir: string): Set<string> {
  const keys = new Set<string>();
  for (const pod of Pod.list(dataDir, LISTED_DIR_STATES)) {
    const stage1Id = readStage1Id(pod.path);
    if (stage1Id) keys.add(storeKeyOf(stage1Id));
    let apps;
    try {
      apps = readPodManifest(pod.path).apps;
    } catch {
      continue;
    }
    for (const app of apps) {
      const id = app?.image?.id;
      if (typeof id === "string") keys.add(storeKeyOf(id));
    }
  }
  return keys;
}

/**
 * Runs `fn` holding the lock that orders preparations against image removal, a flock of
 * `pods/`: a preparation holds it shared from checking that the images it chose are still
 * stored until its pod directory names them, `rkt image rm` exclusively while it checks
 * and removes. Without it an image could be removed between the two and the new pod would
 * lack it.
 */
export async function withImageClaimsLock<T>(dataDir: string, mode: LockMode, fn: () => Promise<T>): Promise<T> {
  const dir = podsDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = FileLock.openDir(dir);
  try {
    lock.lock(mode);
    return await fn();
  } finally {
    lock.close();
  }
}
