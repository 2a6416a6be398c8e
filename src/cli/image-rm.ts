import { imageKeysInUse, withImageClaimsLock } from "../pod";
import { withStore, type Store } from "../store";
import { rktCommand } from "./command";
import { ExitCode } from "./errors";
import { globals } from "./globals";

export default rktCommand({
  name: "rm",
  description: "Remove image(s) with the given key(s) from the local store",
  usage: "IMAGEID...",
  run({ args }) {
    if (args._.length === 0) {
      process.stderr.write("rkt: Must provide at least one image key\n");
      return ExitCode.Failure;
    }
    const dataDir = globals().dir;
    // Exclusive: no pod may be choosing its images between the check and the removal.
    return withStore(dataDir, (store) => withImageClaimsLock(dataDir, "exclusive", () => removeImages(store, args._, imageKeysInUse(dataDir))));
  },
});

/** Removes each named image that no pod uses, reporting per image as rkt did. */
async function removeImages(store: Store, ids: string[], inUse: Set<string>): Promise<number> {
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
