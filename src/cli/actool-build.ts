import { buildAci } from "../appc";
import { rktCommand } from "./command";
import { UsageError } from "./errors";

export default rktCommand({
  usage: "[--overwrite] [--no-compression] DIRECTORY OUTPUT_FILE",
  args: {
    overwrite: { type: "boolean", default: false, description: "overwrite the output file if it exists" },
    "no-compression": { type: "boolean", default: false, description: "do not gzip-compress the image" },
  },
  async run({ args }) {
    if (args._.length !== 2) throw new UsageError("expected a DIRECTORY and an OUTPUT_FILE");
    const [dir, out] = args._ as [string, string];
    await buildAci(dir, out, { compress: !args["no-compression"], overwrite: args.overwrite as boolean });
  },
});
