import { imageKeysInUse, withImageClaimsLock } from "../pod";
import { withStore } from "../store";
import { rktCommand } from "./command";
import { ExitCode } from "./errors";
import { removeImages } from "./image-removal";

export default rktCommand({
  usage: "IMAGEID...",
  run({ args, globals }) {
    if (args._.length === 0) {
      process.stderr.write("rkt: Must provide at least one image key\n");
      return ExitCode.Failure;
    }
    const dataDir = globals.dir;
    // Exclusive: no pod may be choosing its images between the check and the removal.
    return withStore(dataDir, (store) => withImageClaimsLock(dataDir, "exclusive", () => removeImages(store, args._, imageKeysInUse(dataDir))));
  },
});
