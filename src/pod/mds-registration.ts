// A pod and the metadata service (rkt-internals §9): stage0 registers a pod in `run/`
// once its networking is set up and before stage1 starts, leaves the `mds-registered`
// marker and gives the apps AC_METADATA_URL with the pod's token; deletion unregisters
// pods that carry the marker.
import { readFileSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { MetadataServiceUnreachable, metadataUrl, registerPod, registrationSocket, unregisterPodSync, type Registration } from "../mds/registration-client";
import type { Pod } from "./pod";
import { readPodManifest } from "./pod-files";
import { readPlannedImageManifest, setPlannedMetadataUrl } from "./runtime-plan";

const REGISTERED_MARKER = "mds-registered";

/** Where a pod on the host network reaches the metadata service. */
const HOST_NETWORK_MDS_ADDRESS = "127.0.0.1";

/** The pod's end and the host's end of its default (last) private network. */
export interface PodLink {
  podAddress: string;
  hostAddress: string;
}

/**
 * --mds-register (rkt-cli §5, ours): registers the pod and returns its token for stage1.
 * A pod on a private network (`link`) is registered with its own address, the only one
 * its token is answered from, and calls the service on the host's end of its link; a pod
 * on the host network with this process's PID, so that only its processes are answered.
 * Without a running service, the default warns in one line (with writeSync, so that it
 * is out before execve) and the apps get an empty AC_METADATA_URL; when the user asked
 * for registration explicitly (`required`), the run fails, as rkt's default did.
 */
export async function registerUnlessUnreachable(pod: Pod, opts: { required: boolean; link?: PodLink }): Promise<string | undefined> {
  try {
    return await registerWithMetadataService(pod, opts.link);
  } catch (err) {
    if (!(err instanceof MetadataServiceUnreachable)) throw err;
    const hint = "start 'rkt metadata-service', or pass --mds-register=false";
    if (opts.required) throw new Error(`${err.message} (${hint})`);
    writeSync(2, `warning: ${err.message}: the pod is not registered and AC_METADATA_URL is empty (${hint})\n`);
    return undefined;
  }
}

/**
 * Registers the pod and sets its apps' AC_METADATA_URL; returns the token for stage1's
 * `--mds-token`. Throws MetadataServiceUnreachable when no service listens.
 */
async function registerWithMetadataService(pod: Pod, link: PodLink | undefined): Promise<string> {
  const appNames = readPodManifest(pod.path).apps.map((a) => a.name);
  const socketPath = registrationSocket();
  const registration: Registration = await registerPod(
    {
      uuid: pod.uuid,
      podManifest: readFileSync(join(pod.path, "pod"), "utf8"),
      apps: appNames.map((name) => ({ name, imageManifest: readPlannedImageManifest(pod.path, name) })),
      // stage1's init is this process after execve.
      caller: link ? { ip: link.podAddress } : { pid: process.pid },
    },
    socketPath,
  );
  // rkt's marker is empty; ours names the socket, so that gc reaches the same service.
  writeFileSync(join(pod.path, REGISTERED_MARKER), socketPath);
  setPlannedMetadataUrl(pod.path, appNames, metadataUrl(link?.hostAddress ?? HOST_NETWORK_MDS_ADDRESS, registration));
  return registration.token;
}

/** Unregisters a pod that carries the marker; a failure is only reported, the pod goes anyway. */
export function unregisterFromMetadataService(pod: Pod, warn: (line: string) => void): void {
  let socketPath: string;
  try {
    socketPath = readFileSync(join(pod.path, REGISTERED_MARKER), "utf8").trim() || registrationSocket();
  } catch {
    return; // no marker: never registered
  }
  try {
    unregisterPodSync(pod.uuid, socketPath);
  } catch (err) {
    warn(`warning: ${(err as Error).message}`);
  }
}
