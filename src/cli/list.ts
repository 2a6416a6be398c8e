import { rktCommand } from "./command";
import { alignTabbed } from "./tabwriter";
import { printErr, printOut } from "./output";
import { formatJson, formatFlag, parseOutputFormat } from "./output-format";
import { listPods } from "../pod/list";
import { formatNetworks } from "../pod/pod-files";

export default rktCommand({
  usage: "[--full] [--no-legend] [--format=json|json-pretty]",
  maxArgs: 0,
  args: {
    "no-legend": { type: "boolean", default: false, description: "suppress a legend with the list" },
    full: { type: "boolean", default: false, description: "use long output format" },
    format: formatFlag,
  },
  async run({ args, globals }) {
    const format = parseOutputFormat(args.format);
    const { pods, problems } = listPods(globals.dir);
    for (const line of problems) printErr(`${line}\n`);
    if (format) {
      // Loaded only for JSON: it reads manifests and mount points the table does not show.
      const { apiPod } = await import("../pod/api-pod");
      return printOut(formatJson(pods.map(apiPod), format));
    }
    let table = args["no-legend"] ? "" : "UUID\tAPP\tACI\tSTATE\tNETWORKS\n";
    for (const pod of pods) {
      const uuid = args.full ? pod.uuid : pod.uuid.slice(0, 8);
      pod.apps.forEach((app, i) => {
        table += i === 0 ? `${uuid}\t${app.name}\t${app.imageName}\t${pod.state}\t${formatNetworks(pod.networks)}\n` : `\t${app.name}\t${app.imageName}\t\t\n`;
      });
    }
    return printOut(alignTabbed(table));
  },
});
