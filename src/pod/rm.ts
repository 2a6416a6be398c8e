// `rkt rm` (rkt-cli §3.11): delete one pod now, with no grace period. Pods that are busy
// are refused; the others pass through the garbage states as gc would move them.
import { collectPod, type CollectOptions } from "./collect";
import type { Pod } from "./pod";

export function removePod(pod: Pod, opts: CollectOptions): void {
  const say = (line: string) => opts.output.stderr(line);
  switch (pod.state()) {
    case "running":
      throw new Error(`Pod "${pod.uuid}" is currently running: stop it first ('rkt stop ${pod.uuid}')`);
    case "embryo":
    case "preparing":
      throw new Error(`Pod "${pod.uuid}" is currently being prepared`);
    case "deleting":
      throw new Error(`Pod "${pod.uuid}" is currently being deleted`);
    case "aborted prepare":
      say(`Moving failed prepare "${pod.uuid}" to garbage`);
      pod.moveTo("garbage");
      break;
    case "prepared":
      say(`Moving expired prepared pod "${pod.uuid}" to garbage`);
      pod.moveTo("garbage");
      break;
    case "exited":
      if (pod.dirState === "run") {
        say(`Moving pod "${pod.uuid}" to garbage`);
        pod.moveTo("exited-garbage");
      }
      break;
    case "garbage":
      break;
  }
  if (!collectPod(pod, opts)) throw new Error("Pod is currently being deleted");
}
