import { prettyManifest, readAciManifest, serializeManifest } from "../appc";
import { rktCommand } from "./command";
import { UsageError } from "./errors";

export default rktCommand({
  usage: "[--pretty-print] ACI_FILE",
  args: {
    "pretty-print": { type: "boolean", default: false, description: "print with indentation" },
  },
  async run({ args }) {
    if (args._.length !== 1) throw new UsageError("expected one ACI_FILE");
    const manifest = await readAciManifest(args._[0]!);
    process.stdout.write(`${args["pretty-print"] ? prettyManifest(manifest) : serializeManifest(manifest)}\n`);
  },
});
