import { imageKeysInUse, unusedImages, withImageClaimsLock } from "../pod";
import { withStore } from "../store";
import { rktCommand } from "./command";
import { parseGoDuration } from "./flags";
import { globals } from "./globals";
import { removeImages } from "./image-removal";

export default rktCommand({
  name: "gc",
  description: "Garbage collect local store",
  usage: "[--grace-period=DURATION]",
  details: [
    "Removes the images, with their rendered trees, that no pod uses and that were not",
    "used (fetched, or chosen by a pod) within --grace-period. A pod holds its images until",
    "`rkt gc` removes it. Intended to run periodically; --grace-period=0s disables the grace period.",
  ],
  maxArgs: 0,
  args: {
    "grace-period": { type: "string", default: "24h0m0s", description: "duration to wait since an image was last used before removing it" },
  },
  run({ args }) {
    const gracePeriodMs = parseGoDuration(args["grace-period"] as string, "--grace-period");
    const dataDir = globals().dir;
    // Exclusive: no pod may be choosing its images between the check and the removal.
    return withStore(dataDir, (store) =>
      withImageClaimsLock(dataDir, "exclusive", () => {
        const inUse = imageKeysInUse(dataDir);
        return removeImages(store, unusedImages(store, inUse, gracePeriodMs), inUse);
      }),
    );
  },
});
