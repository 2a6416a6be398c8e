// --port NAME:HOSTPORT (rkt-internals §10.4): the pod's ports named in its manifest,
// forwarded from the host's own addresses, 127.0.0.1 included, by rules in the pod's
// iptables chains (pod-chains.ts), which stage1's gc deletes with their jumps.
import { writeFileSync } from "node:fs";
import type { App, ExposedPort } from "../appc";
import { native } from "../sys";
import { createPodChain, POD_CHAIN_ROLES, removePodChains } from "./pod-chains";

/** One forwarded port: host port → the pod's address and the app's port. */
export interface PortForward {
  protocol: string;
  hostPort: number;
  podPort: number;
}

/** The apps' ports for the pod's `ports`; a name no app or several apps declare is an error. */
export function resolvePortForwards(exposed: readonly ExposedPort[], apps: readonly { name: string; app: App }[]): PortForward[] {
  return exposed.map(({ name, hostPort }) => {
    const declaring = apps.filter((a) => (a.app.ports ?? []).some((p) => p.name === name));
    if (declaring.length === 0) throw new Error(`Port name "${name}" is not defined by any apps`);
    if (declaring.length > 1) throw new Error(`Ambiguous exposed port in PodManifest: "${declaring[0]!.name}" and "${declaring[1]!.name}" both define port "${name}"`);
    const port = declaring[0]!.app.ports!.find((p) => p.name === name)!;
    return { protocol: port.protocol, hostPort, podPort: port.port };
  });
}

const LOOPBACK_NET = "127.0.0.0/8";

/**
 * Forwards each host port to `podIp` (the pod's address in its default network) by DNAT.
 * When the host side of the pod's link is the pod's own veth end, the host's loopback
 * addresses are forwarded too: that interface gets `route_localnet`, so a packet from
 * 127.0.0.1 may leave through it, such connections are masqueraded, so that the pod's
 * replies come back to the host, and a guard drops what the pod itself sends to
 * 127.0.0.0/8 through that link. A shared bridge would keep `route_localnet` after the
 * pod and its guard are gone, so it is left alone. Nothing to forward, no chains.
 */
export function setUpPortForwarding(uuid: string, podIp: string, forwards: readonly PortForward[]): void {
  if (forwards.length === 0) return;
  try {
    const hostSide = hostInterfaceTo(podIp);
    if (native.linkKind(hostSide) === "veth") {
      createPodChain(uuid, POD_CHAIN_ROLES.localnetGuard, [["-i", hostSide, "-d", LOOPBACK_NET, "-j", "DROP"]]);
      enableRouteLocalnet(hostSide);
      createPodChain(
        uuid,
        POD_CHAIN_ROLES.localhostSource,
        forwards.map((f) => ["-s", LOOPBACK_NET, "-d", podIp, "-p", f.protocol, "--dport", String(f.podPort), "-j", "MASQUERADE"]),
      );
    }
    createPodChain(
      uuid,
      POD_CHAIN_ROLES.forward,
      forwards.map((f) => ["-p", f.protocol, "--dport", String(f.hostPort), "-j", "DNAT", "--to-destination", `${podIp}:${f.podPort}`]),
    );
  } catch (err) {
    removePortForwarding(uuid);
    throw err;
  }
}

/** The host's interface towards the pod: its veth end (ptp), or the bridge it is attached to. */
function hostInterfaceTo(podIp: string): string {
  let dev: string;
  try {
    dev = native.routeDevice(podIp);
  } catch (err) {
    throw new Error(`no route from the host to the pod's address ${podIp}: ${(err as Error).message}`);
  }
  if (dev === "lo") throw new Error(`the pod's address ${podIp} is one of the host's own`);
  return dev;
}

/** Lets packets from and to 127.0.0.0/8 be routed through `dev` (a veth: the setting goes with it). */
function enableRouteLocalnet(dev: string): void {
  const path = `/proc/sys/net/ipv4/conf/${dev}/route_localnet`;
  try {
    writeFileSync(path, "1");
  } catch (err) {
    throw new Error(`enable forwarding from localhost: write ${path}: ${(err as Error).message}`);
  }
}

/** Deletes the pod's chains and their jumps; missing pieces are fine. */
export function removePortForwarding(uuid: string): void {
  removePodChains(uuid);
}
