import { rktCommand } from "./command";
import { alignRows } from "./tabwriter";
import { printErr, printOut } from "./output";
import { formatJson, formatFlag, parseOutputFormat } from "./output-format";
import { listPods } from "../pod/list";
import { formatNetworks } from "../pod/pod-file-texts";

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
    const { pods, problems } = await listPods(globals.dir);
    for (const line of problems) printErr(`${line}\n`);
    if (format) {
      // Loaded only for JSON: it reads manifests and mount points the table does not show.
      const { apiPod } = await import("../pod/api-pod");
      return printOut(formatJson(pods.map(apiPod), format));
    }
    // Cells, not tab-separated text: a thousand pods' lines are not joined only to be split again.
    const rows = args["no-legend"] ? [] : [["UUID", "APP", "ACI", "STATE", "NETWORKS"]];
    for (const pod of pods) {
      const uuid = args.full ? pod.uuid : pod.uuid.slice(0, 8);
      // An index loop: destructuring with a rest element costs more, run once per pod cold.
      const apps = pod.apps;
      if (apps.length > 0) rows.push([uuid, apps[0]!.name, apps[0]!.imageName, pod.state, formatNetworks(pod.networks)]);
      for (let i = 1; i < apps.length; i++) rows.push(["", apps[i]!.name, apps[i]!.imageName, "", ""]);
    }
    return printOut(rows.length > 0 ? `${alignRows(rows)}\n` : "");
  },
});
