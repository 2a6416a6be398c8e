import { rktCommand } from "./command";
import { ExitCode, UsageError, requireRoot } from "./errors";
import { dataDirOf, parsePodCommand, podBuildFlags, preparePodFromCommand, prepareRequestFrom, withPodFailureCode } from "./pod-command";
import { runPod } from "../pod";
import { podStartFlagDefs, podStartOptionsFrom } from "./run-flags";

const command = rktCommand({
  usage: "[--volume=name,kind=host,...] IMAGE [-- image-args...[---]]...",
  details: [
    "IMAGE is an image ID (sha512-...), a file, an image name or a URL, tried in that order.",
    "--exec, --signature, --memory, --cpu, --user and --group apply to the image before them;",
    "other flags may stand anywhere.",
    "'--' starts the image's own arguments, which run to a lone '---' or the end of the line.",
    "Exit status: the app's (with several apps, the first failing one's); 254 when rkt fails",
    "after the pod exists, 1 before, 2 for a bad command line.",
  ],
  parse: "raw",
  args: {
    ...podBuildFlags,
    ...podStartFlagDefs,
    "uuid-file-save": { type: "string", description: "write out pod UUID to specified file" },
  },
  async run(ctx) {
    const parsed = await parsePodCommand(ctx, command.spec);
    if (!parsed) return ExitCode.Ok;
    const { values, apps, globals } = parsed;
    const req = prepareRequestFrom("run", values, apps, globals);
    if (values.interactive && apps.length > 1) throw new UsageError("interactive option only supports one image");
    const options = podStartOptionsFrom(values, ctx.rawArgs, globals);
    const uuidFile = values["uuid-file-save"] as string | undefined;
    if (uuidFile === "") throw new UsageError(`--uuid-file-save "": must name a file`);
    req.uuidFileSave = uuidFile;
    req.interactive = options.interactive;
    requireRoot();
    return withPodFailureCode(() =>
      runPod(options, async () => {
        const { pod, trees, stage1Manifest } = await preparePodFromCommand(dataDirOf(globals), req, globals);
        const ready = async () => {
          // Not synced, as the pod's files are not: after a crash gc removes the pod from either place.
          pod.moveTo("run", { syncParent: false });
          return (key: string) => trees.get(key)!;
        };
        return { pod, ready, stage1Manifest };
      }),
    );
  },
});

export default command;
