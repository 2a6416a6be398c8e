// Which store images pods still need, so `rkt image rm` refuses to remove them.
import { LISTED_DIR_STATES, Pod } from "./pod";
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
