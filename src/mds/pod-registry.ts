// What the metadata service knows about the pods rkt registered (rkt-internals §9): in
// memory only, as rkt kept it, so a restarted service forgets every pod.
import { isIP } from "node:net";
import { parseImageManifest, parsePodManifest, parseUuid, type ImageManifest, type PodManifest } from "../appc";
import { podAnchorOf, type PodAnchor } from "./pod-processes";

export interface RegisteredPod {
  uuid: string;
  token: string;
  /** A pod with a network namespace of its own: the only address its token is answered from. */
  sourceAddress?: string;
  /** A pod on the host network: its token is answered only to connections its processes hold. */
  anchor?: PodAnchor;
  manifest: PodManifest;
  /** The image manifest of each app, by app name, as registered. */
  apps: Map<string, ImageManifest>;
}

/** A registration request the registry refuses; `status` is the HTTP answer. */
export class RegistrationError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

export class PodRegistry {
  private readonly byUuid = new Map<string, RegisteredPod>();
  private readonly byToken = new Map<string, RegisteredPod>();

  /**
   * Registers (or re-registers) a pod from its manifest's JSON text; `caller` is how its
   * apps are recognised: their address (`ip`), or the registering process (`pid`).
   */
  addPod(uuidText: string, token: string, manifestText: string, caller: { ip?: string; pid?: string } = {}): void {
    const uuid = parseUuidOr400(uuidText);
    if (!token) throw new RegistrationError(400, "token missing");
    if (caller.ip !== undefined && !isIP(caller.ip)) throw new RegistrationError(400, `ip "${caller.ip}" is not an IP address`);
    const anchor = caller.pid === undefined ? undefined : anchorOr400(caller.pid);
    let manifest: PodManifest;
    try {
      manifest = parsePodManifest(manifestText);
    } catch (err) {
      throw new RegistrationError(400, `bad pod manifest: ${(err as Error).message}`);
    }
    this.removePod(uuid);
    const pod: RegisteredPod = { uuid, token, sourceAddress: caller.ip, anchor, manifest, apps: new Map() };
    this.byUuid.set(uuid, pod);
    this.byToken.set(token, pod);
  }

  /** Adds the image manifest of one of a registered pod's apps. */
  addApp(uuidText: string, appName: string, imageManifestText: string): void {
    const pod = this.byUuid.get(parseUuidOr400(uuidText));
    if (!pod) throw new RegistrationError(404, "pod not found");
    if (!pod.manifest.apps.some((a) => a.name === appName)) throw new RegistrationError(404, `app "${appName}" is not in the pod`);
    try {
      pod.apps.set(appName, parseImageManifest(imageManifestText));
    } catch (err) {
      throw new RegistrationError(400, `bad image manifest: ${(err as Error).message}`);
    }
  }

  /** Forgets a pod; false when it was not registered. */
  removePod(uuidText: string): boolean {
    const pod = this.byUuid.get(parseUuidOr400(uuidText));
    if (!pod) return false;
    this.byUuid.delete(pod.uuid);
    this.byToken.delete(pod.token);
    return true;
  }

  byPodToken(token: string): RegisteredPod | undefined {
    return this.byToken.get(token);
  }
}

function anchorOr400(pidText: string): PodAnchor {
  const anchor = /^[1-9]\d*$/.test(pidText) ? podAnchorOf(Number(pidText)) : undefined;
  if (!anchor) throw new RegistrationError(400, `pid "${pidText}" is not a running process`);
  return anchor;
}

function parseUuidOr400(text: string): string {
  try {
    return parseUuid(text);
  } catch (err) {
    throw new RegistrationError(400, (err as Error).message);
  }
}
