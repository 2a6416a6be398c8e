import { exportImage, withStore } from "../store";
import { rktCommand } from "./command";
import { UsageError } from "./errors";

export default rktCommand({
  usage: "[--overwrite] IMAGE OUTPUT_ACI_FILE",
  args: {
    overwrite: { type: "boolean", default: false, description: "overwrite output ACI" },
  },
  run({ args, globals }) {
    if (args._.length !== 2) throw new UsageError("must provide an image and an output file");
    const [image, output] = args._ as [string, string];
    return withStore(globals.dir, (store) => {
      return exportImage(store, store.resolveImageReference(image), output, args.overwrite as boolean);
    });
  },
});
