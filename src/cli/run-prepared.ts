import { writeSync } from "node:fs";
import { rktCommand } from "./command";
import { ExitCode, RktError, UsageError, requireRoot } from "./errors";
import { globals } from "./globals";
import { claimPreparedPod, renderPodTrees, startPod, type Pod } from "../pod";
import { Store } from "../store";

/**
 * Printed by run and run-prepared until the metadata service exists (rkt-cli §5); with
 * writeSync, so that it is out before execve replaces the process.
 */
export const metadataServiceWarning = "warning: the metadata service is not available yet: the pod is not registered and AC_METADATA_URL is empty\n";

/** Private networking is a later issue; pods share the host's network until then. */
export function privateNetUnsupported(): RktError {
  return new RktError("--private-net is not supported yet: pods share the host network");
}

export default rktCommand({
  name: "run-prepared",
  description: "Run a prepared application pod in rkt",
  usage: "[--private-net[=NET,...]] [--interactive] [--mds-register=BOOL] UUID",
  args: {
    "private-net": { type: "string", optionalValue: "all", description: "give pod a private network (not supported yet: pods share the host network)" },
    interactive: { type: "boolean", default: false, description: "run pod interactively" },
    "mds-register": { type: "boolean", default: true, description: "register pod with metadata service" },
  },
  async run({ args }) {
    if (args._.length !== 1) throw new UsageError("exactly one UUID argument is required");
    if (args["private-net"] !== undefined) throw privateNetUnsupported();
    requireRoot();
    const { dir, debug } = globals();
    const pod = claimPreparedPod(dir, args._[0]!, { interactive: args.interactive as boolean });
    try {
      if (args["mds-register"]) writeSync(2, metadataServiceWarning);
      const trees = await podTrees(dir, pod);
      return startPod(pod, (key) => trees.get(key)!, { debug, interactive: args.interactive as boolean });
    } catch (err) {
      throw new RktError(`pod ${pod.uuid}: ${(err as Error).message}`, ExitCode.PodFailure);
    }
  },
});

async function podTrees(dataDir: string, pod: Pod): Promise<Map<string, string>> {
  const store = Store.open(dataDir);
  try {
    return await renderPodTrees(pod, (key) => store.renderTree(key));
  } finally {
    store.close();
  }
}
