import { imageKeysInUse, withImageClaimsLock } from "../pod";
import { withStore } from "../store";
import { rktCommand } from "./command";
import { ExitCode } from "./errors";
import { globals } from "./globals";
import { removeImages } from "./image-removal";

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
