// rkt's side of registration (rkt-internals §9): a fresh token, the pod manifest, then
// each app's image manifest, over the service's Unix socket; DELETE when the pod goes.
import { requestOverUnixSocket, requestOverUnixSocketSync, SocketUnreachable, type SocketAnswer } from "../http";
import { DEFAULT_APP_PORT, DEFAULT_REGISTRATION_SOCKET } from "./defaults";

/** Overrides the registration socket for rkt run/gc (tests, or a service started with --socket). */
const SOCKET_ENV = "RKT_METADATA_SOCKET";

export function registrationSocket(env: Record<string, string | undefined> = process.env): string {
  return env[SOCKET_ENV] || DEFAULT_REGISTRATION_SOCKET;
}

export interface PodRegistrationData {
  uuid: string;
  /** The pod manifest's JSON text. */
  podManifest: string;
  /** Each app's image manifest JSON text, by app name. */
  apps: { name: string; imageManifest: string }[];
  /**
   * How the service recognises the pod's apps: its own address when it has a network
   * namespace, else the PID of the process that becomes its stage1 (this one).
   */
  caller: { ip: string } | { pid: number };
}

export interface Registration {
  /** 32 hex characters (128 random bits): the pod's identity towards the service. */
  token: string;
  /** The TCP port of the app API. */
  appPort: number;
}

/** Nothing answers on the socket: no service is running there. */
export class MetadataServiceUnreachable extends Error {}

async function call(socketPath: string, method: string, path: string, body?: string): Promise<string> {
  let answer;
  try {
    answer = await requestOverUnixSocket(socketPath, method, path, body);
  } catch (err) {
    if (err instanceof SocketUnreachable) throw new MetadataServiceUnreachable(`cannot reach the metadata service on ${socketPath}: ${err.message}`);
    throw new Error(`metadata service: ${(err as Error).message}`);
  }
  if (!answer.ok) throw new Error(`metadata service: ${method} ${path}: ${answer.status} ${answer.text.trim()}`);
  return answer.text;
}

/**
 * Registers a pod and its apps; on a failure after the pod's PUT the pod is
 * unregistered again. Connection failures are not retried, so that `rkt run` without a
 * service costs one failed connect.
 */
export async function registerPod(data: PodRegistrationData, socketPath = registrationSocket()): Promise<Registration> {
  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex");
  const podPath = `/pods/${data.uuid}`;
  const caller: Record<string, string> = "ip" in data.caller ? { ip: data.caller.ip } : { pid: String(data.caller.pid) };
  const query = new URLSearchParams({ token, ...caller });
  const answer = await call(socketPath, "PUT", `${podPath}?${query}`, data.podManifest);
  try {
    for (const app of data.apps) await call(socketPath, "PUT", `${podPath}/${encodeURIComponent(app.name)}`, app.imageManifest);
  } catch (err) {
    await call(socketPath, "DELETE", podPath).catch(() => undefined);
    throw err;
  }
  // A service that does not say its port (rkt's own) listens on the standard one.
  const port = Number(answer.trim());
  return { token, appPort: Number.isInteger(port) && port > 0 ? port : DEFAULT_APP_PORT };
}

/** AC_METADATA_URL for a pod: `host` is how the pod reaches the host (127.0.0.1 with host networking). */
export function metadataUrl(host: string, registration: Registration): string {
  return `http://${host}:${registration.appPort}/${registration.token}`;
}

/** unregisterPod for the synchronous gc path. Throws with the reason. */
export function unregisterPodSync(uuid: string, socketPath = registrationSocket()): void {
  let answer: SocketAnswer;
  try {
    answer = requestOverUnixSocketSync(socketPath, "DELETE", `/pods/${uuid}`);
  } catch (err) {
    throw new Error(`cannot unregister pod ${uuid} from the metadata service: ${(err as Error).message}`);
  }
  if (!answer.ok) throw new Error(`cannot unregister pod ${uuid} from the metadata service: ${answer.status} ${answer.text.trim()}`);
}
