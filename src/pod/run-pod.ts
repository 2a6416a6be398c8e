// `rkt run` and `rkt run-prepared` after their flags: one order of checks, start and
// failure rule for a pod made now or prepared earlier.
import type { ImageManifest } from "../appc";
import type { Pod } from "./pod";
import { PodSetupError } from "./prepare";
import { startPod, type StartPodOptions } from "./run";

/** A pod claimed for running, and what must still happen before its start (moving it to `run/`, rendering its trees). */
export interface PodToRun {
  pod: Pod;
  /** Resolves to the rendered tree of each image key the pod uses. */
  ready: () => Promise<(key: string) => string>;
  /** The pod's stage1 manifest when the caller holds it parsed (a pod prepared now), else it is read from the pod. */
  stage1Manifest?: ImageManifest;
}

/**
 * Refuses unknown networks before any pod is touched, gets the pod from `obtain`, and
 * starts it. A failure once `obtain` has the pod is a PodSetupError: it names the pod, and
 * the pod is left for gc.
 */
export async function runPod(opts: StartPodOptions & { localConfig: string }, obtain: () => Promise<PodToRun>): Promise<never> {
  if (opts.privateNet !== undefined) (await import("../net")).checkNetworkSelection(opts.privateNet, opts.localConfig);
  const { pod, ready, stage1Manifest } = await obtain();
  try {
    return await startPod(pod, await ready(), opts, stage1Manifest);
  } catch (err) {
    throw new PodSetupError(pod.uuid, err);
  }
}
