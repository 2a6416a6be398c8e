import { prettyManifest, serializeImageManifest } from "../appc";
import { withStore } from "../store";
import { rktCommand } from "./command";
import { UsageError } from "./errors";
import { globals } from "./globals";
import { printOut } from "./output";

export default rktCommand({
  name: "cat-manifest",
  description: "Inspect and print the image manifest",
  usage: "[--pretty-print] IMAGE",
  args: {
    "pretty-print": { type: "boolean", default: false, description: "apply indent to format the output" },
  },
  run({ args }) {
    if (args._.length !== 1) throw new UsageError("must provide exactly one image");
    return withStore(globals().dir, (store) => {
      const manifest = store.readManifest(store.resolveImageReference(args._[0]!));
      const text = args["pretty-print"] ? prettyManifest(manifest) : serializeImageManifest(manifest);
      return printOut(`${text}\n`);
    });
  },
});
