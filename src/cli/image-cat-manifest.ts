import { prettyManifest, serializeImageManifest } from "../appc";
import { withStore } from "../store";
import { rktCommand } from "./command";
import { UsageError } from "./errors";
import { printOut } from "./output";

export default rktCommand({
  usage: "[--pretty-print] IMAGE",
  args: {
    "pretty-print": { type: "boolean", default: false, description: "apply indent to format the output" },
  },
  run({ args, globals }) {
    if (args._.length !== 1) throw new UsageError("must provide exactly one image");
    return withStore(globals.dir, (store) => {
      const manifest = store.readManifest(store.resolveImageReference(args._[0]!));
      const text = args["pretty-print"] ? prettyManifest(manifest) : serializeImageManifest(manifest);
      return printOut(`${text}\n`);
    });
  },
});
