import { rktCommand } from "./command";
import { UsageError, requireRoot } from "./errors";
import { withPodFailureCode } from "./pod-command";
import { claimPreparedPod, renderPodTrees, runPod } from "../pod";
import { podStartFlagDefs, podStartOptionsFrom } from "./run-flags";
import { podEtcChoicesFrom, podEtcFlagDefs } from "./pod-etc-flags";
import { withStore } from "../store";

export default rktCommand({
  usage: "[--private-net[=NET,...] | --net[=NET,...|host|none]] [--dns=IP|host|none ...] [--hosts-entry=IP=NAME|host ...] [--interactive] [--mds-register=BOOL] UUID",
  args: {
    ...podStartFlagDefs,
    ...podEtcFlagDefs,
  },
  async run({ args, rawArgs, globals }) {
    if (args._.length !== 1) throw new UsageError("exactly one UUID argument is required");
    requireRoot();
    const options = { ...podStartOptionsFrom(args, rawArgs, globals), podEtc: podEtcChoicesFrom(args) };
    return withPodFailureCode(() =>
      runPod(options, async () => {
        const pod = claimPreparedPod(globals.dir, args._[0]!, { interactive: options.interactive, privateNet: options.privateNet });
        const ready = async () => {
          const trees = await withStore(globals.dir, (store) => renderPodTrees(pod, (key) => store.renderTree(key)));
          return (key: string) => trees.get(key)!;
        };
        return { pod, ready };
      }),
    );
  },
});
