// Which store images pods still need, so `rkt image rm` refuses to remove them.
import { LISTED_DIR_STATES, Pod } from "./pod";
import { readPodManifest, readStage1Id } from "./pod-files";

/** `sha512-` plus the first 64 hex digits: the store key of a full image ID. */
const STORE_KEY_LENGTH = "sha512-".length + 64;

/**
 * The store keys used by pods in prepare, prepared, run and exited-garbage: their apps'
 * images and their stage1. Pods without a readable manifest (still preparing) add only
 * what they have.
 */
export function imageKeysInUse(dataDir: string): Set<string> {
  const keys = new Set<string>();
  for (const pod of Pod.list(dataDir, LISTED_DIR_STATES)) {
    const stage1Id = readStage1Id(pod.path);
    if (stage1Id) keys.add(stage1Id.slice(0, STORE_KEY_LENGTH).toLowerCase());
    let apps;
    try {
      apps = readPodManifest(pod.path).apps;
    } catch {
      continue;
    }
    for (const app of apps) {
      const id = app?.image?.id;
      if (typeof id === "string") keys.add(id.slice(0, STORE_KEY_LENGTH).toLowerCase());
    }
  }
  return keys;
}
