import { rktCommand } from "./command";
import { ExitCode, RktError, requireRoot } from "./errors";
import { dataDirOf, parsePodCommand, podBuildFlags, preparePodFromCommand, prepareRequestFrom } from "./pod-command";
import { printOut } from "./output";

const command = rktCommand({
  usage: "[--volume=name,kind=host,...] [--quiet] IMAGE [-- image-args...[---]]...",
  details: [
    "Prepares a pod as 'rkt run' would, without starting it, and prints its UUID; start it",
    "with 'rkt run-prepared UUID'. Images, per-image flags and '--' arguments as for run.",
  ],
  parse: "raw",
  args: {
    ...podBuildFlags,
    quiet: { type: "boolean", default: false, description: "suppress superfluous output on stdout, print only the UUID on success" },
  },
  async run(ctx) {
    const parsed = await parsePodCommand(ctx, command.spec);
    if (!parsed) return ExitCode.Ok;
    const req = prepareRequestFrom("prepare", parsed.values, parsed.apps, parsed.globals);
    requireRoot();
    const { pod } = await preparePodFromCommand(dataDirOf(parsed.globals), req, parsed.globals, parsed.values.quiet === true);
    try {
      pod.moveTo("prepared");
    } catch (err) {
      throw new RktError(`pod ${pod.uuid}: ${(err as Error).message}`, ExitCode.PodFailure);
    } finally {
      pod.releaseLock();
    }
    await printOut(`${pod.uuid}\n`);
  },
});

export default command;
