import { prettyManifest, serializeImageManifest } from "../appc";
import { withStore } from "../store";
import { rktCommand } from "./command";
import { UsageError } from "./errors";
import type { FlagDefs } from "./flags";
import { printOut } from "./output";

export const catManifestFlags: FlagDefs = {
  "pretty-print": { type: "boolean", default: false, description: "apply indent to format the output" },
};

/** Prints the manifest of the stored image `ref` names. */
export function printImageManifest(dir: string, ref: string, pretty: boolean): Promise<void> {
  return withStore(dir, (store) => {
    const manifest = store.readManifest(store.resolveImageReference(ref));
    return printOut(`${pretty ? prettyManifest(manifest) : serializeImageManifest(manifest)}\n`);
  });
}

export default rktCommand({
  usage: "[--pretty-print] IMAGE",
  args: catManifestFlags,
  run({ args, globals }) {
    if (args._.length !== 1) throw new UsageError("must provide exactly one image");
    return printImageManifest(globals.dir, args._[0]!, args["pretty-print"] as boolean);
  },
});
