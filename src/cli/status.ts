import { rktCommand } from "./command";
import { UsageError } from "./errors";
import { printOut } from "./output";
import { Pod, podStatus, waitPodExited } from "../pod";

export default rktCommand({
  usage: "[--wait] UUID",
  args: {
    wait: { type: "boolean", default: false, description: "toggle waiting for the pod to exit" },
  },
  run({ args, globals }) {
    if (args._.length !== 1) throw new UsageError("exactly one UUID is required (usage: rkt status [--wait] UUID)");
    const dir = globals.dir;
    let pod = Pod.resolve(dir, args._[0]!);
    if (args.wait) pod = waitPodExited(pod.uuid, dir);
    const status = podStatus(pod);
    let out = `state=${status.state}\n`;
    if (status.networks !== undefined) out += `networks=${status.networks}\n`;
    if (status.pid !== undefined) out += `pid=${status.pid}\nexited=${status.exited}\n`;
    for (const [app, code] of status.appStatuses) out += `app-${app}=${code}\n`;
    return printOut(out);
  },
});
