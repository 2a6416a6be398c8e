import { rktCommand } from "./command";
import { ExitCode, RktError, UsageError, requireRoot } from "./errors";
import { flagGiven } from "./flags";
import { dataDirOf, parsePodCommand, podBuildFlags, preparePodFromCommand, prepareRequestFrom } from "./pod-command";
import { ALL_NETWORKS, checkNetworkSelection } from "../net";
import { startPod } from "../pod";
import { insecureRunOptionsFlag } from "./insecure-options";

const command = rktCommand({
  usage: "[--volume=name,kind=host,...] IMAGE [-- image-args...[---]]...",
  details: [
    "IMAGE is an image ID (sha512-...), a file, an image name or a URL, tried in that order.",
    "--exec and --signature apply to the image before them; other flags may stand anywhere.",
    "'--' starts the image's own arguments, which run to a lone '---' or the end of the line.",
    "Exit status: the app's (with several apps, the first failing one's); 254 when rkt fails",
    "after the pod exists, 1 before, 2 for a bad command line.",
  ],
  parse: "raw",
  args: {
    ...podBuildFlags,
    "private-net": { type: "string", optionalValue: ALL_NETWORKS, description: "give pod a private network: all networks, or =NET1,NET2,..." },
    interactive: { type: "boolean", default: false, description: "run pod interactively" },
    "mds-register": { type: "boolean", default: true, description: "register pod with metadata service" },
    "insecure-options": { type: "string", description: "switch off parts of the apps' confinement for this pod: seccomp, no-new-privs (comma-separated)" },
    "uuid-file-save": { type: "string", description: "write out pod UUID to specified file" },
  },
  async run(ctx) {
    const parsed = await parsePodCommand(ctx, command.spec);
    if (!parsed) return ExitCode.Ok;
    const { values, apps, globals } = parsed;
    const req = prepareRequestFrom("run", values, apps, globals);
    if (values.interactive && apps.length > 1) throw new UsageError("interactive option only supports one image");
    const privateNet = values["private-net"] as string | undefined;
    // Unknown networks are refused before any pod is touched.
    if (privateNet !== undefined) checkNetworkSelection(privateNet, globals.localConfig);
    const insecureOptions = insecureRunOptionsFlag(values["insecure-options"] as string | undefined);
    req.uuidFileSave = values["uuid-file-save"] as string | undefined;
    req.interactive = values.interactive as boolean;
    requireRoot();
    const { pod, trees } = await preparePodFromCommand(dataDirOf(globals), req, globals);
    try {
      // Not synced, as the pod's files are not: after a crash gc removes the pod from either place.
      pod.moveTo("run", { syncParent: false });
      return await startPod(pod, (key) => trees.get(key)!, {
        privateNet,
        mdsRegister: values["mds-register"] ? { required: flagGiven(ctx.rawArgs, "mds-register") } : undefined,
        debug: globals.debug,
        interactive: values.interactive as boolean,
        localConfig: globals.localConfig,
        insecureOptions,
      });
    } catch (err) {
      throw new RktError(`pod ${pod.uuid}: ${(err as Error).message}`, ExitCode.PodFailure);
    }
  },
});

export default command;
