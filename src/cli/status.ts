import { rktCommand } from "./command";
import { UsageError } from "./errors";
import { printOut } from "./output";
import { formatJson, formatFlag, parseOutputFormat } from "./output-format";
import { apiPod, describePod, Pod, podStatus, waitPodExited } from "../pod";

export default rktCommand({
  usage: "[--wait] [--format=json|json-pretty] UUID",
  args: {
    wait: { type: "boolean", default: false, description: "toggle waiting for the pod to exit" },
    format: formatFlag,
  },
  run({ args, globals }) {
    if (args._.length !== 1) throw new UsageError("exactly one UUID is required (usage: rkt status [--wait] UUID)");
    const format = parseOutputFormat(args.format);
    const dir = globals.dir;
    let pod = Pod.resolve(dir, args._[0]!);
    if (args.wait) pod = waitPodExited(pod.uuid, dir);
    if (format) return printOut(formatJson(apiPod(describePod(pod)), format));
    const status = podStatus(pod);
    let out = `state=${status.state}\n`;
    if (status.networks !== undefined) out += `networks=${status.networks}\n`;
    if (status.pid !== undefined) out += `pid=${status.pid}\nexited=${status.exited}\n`;
    for (const [app, code] of status.appStatuses) out += `app-${app}=${code}\n`;
    return printOut(out);
  },
});
