import { imageKeysInUse, orphanTrees, unusedImages, withImageClaimsLock } from "../pod";
import { withStore, type Store } from "../store";
import { rktCommand } from "./command";
import { ExitCode } from "./errors";
import { parseGoDuration } from "./flags";
import { removeImages } from "./image-removal";

export default rktCommand({
  usage: "[--grace-period=DURATION]",
  details: [
    "Removes the images, with their rendered trees, that no pod uses and that were not",
    "used (fetched, or chosen by a pod) within --grace-period, and trees left without their",
    "image. A pod holds its images until `rkt gc` removes it. Intended to run periodically;",
    "--grace-period=0s disables the grace period.",
  ],
  maxArgs: 0,
  args: {
    "grace-period": { type: "string", default: "24h0m0s", description: "duration to wait since an image was last used before removing it" },
  },
  run({ args, globals }) {
    const gracePeriodMs = parseGoDuration(args["grace-period"] as string, "--grace-period");
    const dataDir = globals.dir;
    // Exclusive: no pod may be choosing its images between the check and the removal.
    return withStore(dataDir, (store) =>
      withImageClaimsLock(dataDir, "exclusive", async () => {
        const inUse = imageKeysInUse(dataDir);
        const treesRemoved = removeOrphanTrees(store, inUse);
        const status = await removeImages(store, unusedImages(store, inUse, gracePeriodMs), inUse);
        return treesRemoved ? status : ExitCode.Failure;
      }),
    );
  },
});

/** Removes the trees whose image is gone, one line each on stderr as rkt 1.x did; false if one remains. */
function removeOrphanTrees(store: Store, inUse: ReadonlySet<string>): boolean {
  let complete = true;
  for (const key of orphanTrees(store, inUse)) {
    try {
      store.trees.remove(key);
      process.stderr.write(`rkt: removed tree "${key}"\n`);
    } catch (err) {
      process.stderr.write(`rkt: error removing tree "${key}": ${(err as Error).message}\n`);
      complete = false;
    }
  }
  return complete;
}
