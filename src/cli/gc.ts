import { rktCommand } from "./command";
import { ExitCode } from "./errors";
import { parseGoDuration } from "./flags";
import { garbageCollect, standardOutput } from "../pod";

export default rktCommand({
  usage: "[--grace-period=DURATION] [--expire-prepared=DURATION]",
  details: [
    "Marks exited pods, failed prepares and prepared pods older than --expire-prepared as",
    "garbage, and deletes garbage older than --grace-period. The grace period starts when gc",
    "marks a pod, so an exited pod goes after a second run (or with --grace-period=0s).",
  ],
  maxArgs: 0,
  args: {
    "grace-period": { type: "string", default: "30m0s", description: "duration to wait before discarding inactive pods from garbage" },
    "expire-prepared": { type: "string", default: "24h0m0s", description: "duration to wait before expiring prepared pods" },
  },
  async run({ args, globals }) {
    const gracePeriodMs = parseGoDuration(args["grace-period"] as string, "--grace-period");
    const expirePreparedMs = parseGoDuration(args["expire-prepared"] as string, "--expire-prepared");
    const { dir, debug } = globals;
    const complete = await garbageCollect(dir, { gracePeriodMs, expirePreparedMs, debug, output: standardOutput });
    return complete ? ExitCode.Ok : ExitCode.Failure;
  },
});
