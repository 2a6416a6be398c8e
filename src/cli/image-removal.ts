// Removing images from the store for `rkt image rm` and `rkt image gc`, reported per image
// as rkt did; an image a pod uses is refused.
import type { Store } from "../store";
import { ExitCode } from "./errors";

/** Removes each named image that no pod uses, reporting per image as rkt did. */
export async function removeImages(store: Store, ids: string[], inUse: Set<string>): Promise<number> {
  let removed = 0;
  let failed = 0;
  let leftStale = 0;
  for (const id of ids) {
    let key: string;
    try {
      key = store.resolveKey(id);
    } catch (err) {
      process.stderr.write(`rkt: cannot resolve image ID "${id}": ${(err as Error).message}\n`);
      failed++;
      continue;
    }
    if (inUse.has(key)) {
      process.stderr.write(`rkt: imageID "${key}" is referenced by some containers, cannot remove.\n`);
      failed++;
      continue;
    }
    try {
      const stale = await store.removeImage(key);
      if (stale.length) {
        process.stderr.write(`rkt: some aci disk entries cannot be removed: ${stale.join(", ")}\n`);
        leftStale++;
      } else removed++;
      process.stdout.write(`rkt: successfully removed aci for imageID: "${key}"\n`);
    } catch (err) {
      process.stderr.write(`rkt: error removing aci for imageID "${key}": ${(err as Error).message}\n`);
      failed++;
    }
  }
  if (removed) process.stderr.write(`rkt: ${removed} image(s) successfully removed\n`);
  if (leftStale) process.stderr.write(`rkt: ${leftStale} image(s) removed but left some stale files\n`);
  if (failed) process.stderr.write(`rkt: ${failed} image(s) cannot be removed\n`);
  return failed ? ExitCode.Failure : ExitCode.Ok;
}
