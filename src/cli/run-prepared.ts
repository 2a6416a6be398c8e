import { rktCommand } from "./command";
import { ExitCode, RktError, UsageError, requireRoot } from "./errors";
import { flagGiven } from "./flags";
import { ALL_NETWORKS, checkNetworkSelection } from "../net";
import { claimPreparedPod, renderPodTrees, startPod } from "../pod";
import { insecureRunOptionsFlag } from "./insecure-options";
import { podEtcChoicesFrom, podEtcFlagDefs } from "./pod-etc-flags";
import { withStore } from "../store";

export default rktCommand({
  usage: "[--private-net[=NET,...]] [--dns=IP|host|none ...] [--hosts-entry=IP=NAME|host ...] [--interactive] [--mds-register=BOOL] [--insecure-options=seccomp,no-new-privs] UUID",
  args: {
    "private-net": { type: "string", optionalValue: ALL_NETWORKS, description: "give pod a private network: all networks, or =NET1,NET2,..." },
    interactive: { type: "boolean", default: false, description: "run pod interactively" },
    "mds-register": { type: "boolean", default: true, description: "register pod with metadata service" },
    "insecure-options": { type: "string", description: "switch off parts of the apps' confinement for this pod: seccomp, no-new-privs (comma-separated)" },
    ...podEtcFlagDefs,
  },
  async run({ args, rawArgs, globals }) {
    if (args._.length !== 1) throw new UsageError("exactly one UUID argument is required");
    requireRoot();
    const { dir, debug, localConfig } = globals;
    const privateNet = args["private-net"] as string | undefined;
    // Unknown networks are refused before any pod is touched.
    if (privateNet !== undefined) checkNetworkSelection(privateNet, localConfig);
    const insecureOptions = insecureRunOptionsFlag(args["insecure-options"] as string | undefined);
    const podEtc = podEtcChoicesFrom(args);
    const pod = claimPreparedPod(dir, args._[0]!, { interactive: args.interactive as boolean });
    try {
      const trees = await withStore(dir, (store) => renderPodTrees(pod, (key) => store.renderTree(key)));
      const mdsRegister = args["mds-register"] ? { required: flagGiven(rawArgs, "mds-register") } : undefined;
      return await startPod(pod, (key) => trees.get(key)!, { debug, interactive: args.interactive as boolean, mdsRegister, privateNet, localConfig, insecureOptions, podEtc });
    } catch (err) {
      throw new RktError(`pod ${pod.uuid}: ${(err as Error).message}`, ExitCode.PodFailure);
    }
  },
});
