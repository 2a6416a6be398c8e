import { readFileSync } from "node:fs";
import { rktCommand } from "./command";
import { RktError, UsageError } from "./errors";
import { parseUuid } from "../appc";
import { Pod, removePod, standardOutput } from "../pod";

export default rktCommand({
  usage: "[--uuid-file=FILE] UUID",
  args: {
    "uuid-file": { type: "string", description: "read pod UUID from file instead of argument" },
  },
  run({ args, globals }) {
    const uuidFile = args["uuid-file"] as string | undefined;
    if ((uuidFile === undefined) === (args._.length === 0) || args._.length > 1) {
      throw new UsageError("exactly one of UUID or --uuid-file is required (usage: rkt rm [--uuid-file=FILE] UUID)");
    }
    const { dir, debug } = globals;
    const pod = Pod.resolve(dir, uuidFile !== undefined ? readUuidFile(uuidFile) : args._[0]!);
    removePod(pod, { debug, output: standardOutput });
  },
});

function readUuidFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch (err) {
    throw new RktError(`unable to read UUID from file: ${(err as Error).message}`);
  }
  try {
    return parseUuid(text);
  } catch (err) {
    throw new RktError(`${path}: ${(err as Error).message}`);
  }
}
