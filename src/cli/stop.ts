import { rktCommand } from "./command";
import { ExitCode, UsageError, withPermissionHint } from "./errors";
import { printErr, printOut } from "./output";
import { Pod, stopPod } from "../pod";
import { readableErrorMessage } from "../sys";

export default rktCommand({
  usage: "[--force] [--no-wait] UUID...",
  args: {
    force: { type: "boolean", default: false, description: "forced stopping (SIGKILL instead of SIGTERM)" },
    "no-wait": { type: "boolean", default: false, description: "return once the pod is signalled, without waiting for it to exit" },
  },
  async run({ args, globals }) {
    if (args._.length === 0) throw new UsageError("at least one UUID is required (usage: rkt stop [--force] [--no-wait] UUID...)");
    const { dir } = globals;
    let failed = false;
    for (const ref of args._) {
      try {
        const pod = Pod.resolve(dir, ref);
        stopPod(pod, { force: args.force as boolean, noWait: args["no-wait"] as boolean });
        await printOut(`${pod.uuid}\n`);
      } catch (err) {
        printErr(`stop: ${withPermissionHint(readableErrorMessage((err as Error).message), "stop")}\n`);
        failed = true;
      }
    }
    return failed ? ExitCode.Failure : ExitCode.Ok;
  },
});
