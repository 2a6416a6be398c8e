import { rktCommand } from "./command";
import { alignTabbed } from "./tabwriter";
import { printErr, printOut } from "./output";
import { listPods } from "../pod";

export default rktCommand({
  usage: "[--full] [--no-legend]",
  maxArgs: 0,
  args: {
    "no-legend": { type: "boolean", default: false, description: "suppress a legend with the list" },
    full: { type: "boolean", default: false, description: "use long output format" },
  },
  run({ args, globals }) {
    const { pods, problems } = listPods(globals.dir);
    for (const line of problems) printErr(`${line}\n`);
    let table = args["no-legend"] ? "" : "UUID\tAPP\tACI\tSTATE\tNETWORKS\n";
    for (const pod of pods) {
      const uuid = args.full ? pod.uuid : pod.uuid.slice(0, 8);
      pod.apps.forEach((app, i) => {
        table += i === 0 ? `${uuid}\t${app.name}\t${app.imageName}\t${pod.state}\t${pod.networks}\n` : `\t${app.name}\t${app.imageName}\t\t\n`;
      });
    }
    return printOut(alignTabbed(table));
  },
});
