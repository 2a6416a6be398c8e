// The last step of gc and rm: take a marked pod's lock without waiting, announce it,
// delete it.
import type { Pod } from "./pod";
import { deletePod } from "./delete";

export interface LifecycleOutput {
  stdout(line: string): void;
  stderr(line: string): void;
}

/** The process's own streams, one line per call. */
export const standardOutput: LifecycleOutput = {
  stdout: (line) => void process.stdout.write(`${line}\n`),
  stderr: (line) => void process.stderr.write(`${line}\n`),
};

export interface CollectOptions {
  debug: boolean;
  output: LifecycleOutput;
  /** See DeleteOptions.mountPoints. */
  mountPoints?: readonly string[];
}

/** Deletes the pod unless another process holds it; returns whether it did. */
export function collectPod(pod: Pod, opts: CollectOptions): boolean {
  if (!pod.tryLockExclusive()) return false;
  try {
    opts.output.stdout(`Garbage collecting pod "${pod.uuid}"`);
    deletePod(pod, { debug: opts.debug, warn: (line) => opts.output.stderr(line), mountPoints: opts.mountPoints });
    return true;
  } finally {
    pod.releaseLock();
  }
}
