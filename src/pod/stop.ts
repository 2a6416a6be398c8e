// `rkt stop` (a later rkt command): signal a running pod's PID 1, which is stage1's
// init. SIGTERM asks for the orderly shutdown (apps get SIGTERM, then SIGKILL after
// stage1's timeout); SIGKILL ends the whole pod at once, as its PID namespace dies.
import type { Pod } from "./pod";
import { publishedPodPid } from "./pod-files";

export interface StopOptions {
  force: boolean;
  /** Return once the signal is sent instead of when the pod has exited. */
  noWait: boolean;
}

export function stopPod(pod: Pod, opts: StopOptions): void {
  const notRunning = new Error(`Pod "${pod.uuid}" isn't currently running`);
  if (pod.state() !== "running") throw notRunning;
  const pid = publishedPodPid(pod);
  if (pid === undefined) throw notRunning;
  try {
    process.kill(pid, opts.force ? "SIGKILL" : "SIGTERM");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EPERM") throw new Error(`kill ${pid} (pod "${pod.uuid}"): Operation not permitted`);
    if (code !== "ESRCH") throw err;
    // It exited on its own meanwhile.
  }
  // stage1 holds the pod lock until its last moment: a shared lock waits it out.
  if (!opts.noWait) pod.waitUnlocked();
}
