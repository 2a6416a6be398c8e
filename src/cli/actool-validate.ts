import { validateFile, type ValidationType } from "../appc";
import { rktCommand } from "./command";
import { ExitCode, UsageError } from "./errors";

export default rktCommand({
  usage: "[--type=appimage|layout|manifest] FILE...",
  args: {
    type: { type: "enum", options: ["appimage", "layout", "manifest"], description: "type of the files (detected when not given)" },
  },
  async run({ args, globals }) {
    if (args._.length === 0) throw new UsageError("expected at least one FILE");
    let failed = false;
    for (const file of args._) {
      const result = await validateFile(file, args.type as ValidationType | undefined);
      if (result.ok) {
        if (globals.debug) process.stderr.write(`${file}: valid ${result.kind}\n`);
      } else {
        failed = true;
        // Loaded only here: sys opens libc, which a valid file never needs.
        const { readableErrorMessage } = await import("../sys");
        process.stderr.write(`${file}: invalid ${result.kind}: ${readableErrorMessage(result.reason)}\n`);
      }
    }
    return failed ? ExitCode.Failure : ExitCode.Ok;
  },
});
