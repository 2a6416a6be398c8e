// --port NAME:HOSTPORT (rkt-internals §10.4): the pod's ports named in its manifest,
// forwarded from the host's own addresses by DNAT in an iptables chain of the nat table,
// `RKT-PFWD-<uuid prefix>`, which stage1's gc deletes with its two jump rules.
import type { App, ExposedPort } from "../appc";

/** `--port NAME:HOSTPORT` as the pod manifest's exposed port. */
export function parsePortFlag(value: string): ExposedPort {
  const match = /^([a-z0-9][a-z0-9-]*):(\d+)$/.exec(value);
  const hostPort = match ? Number(match[2]) : 0;
  if (!match || hostPort < 1 || hostPort > 65535) throw new Error(`--port: "${value}" is not NAME:HOSTPORT (a port name of an app and a host port 1-65535)`);
  return { name: match[1]!, hostPort };
}

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

/** The pod's chain: the first 8 characters of its UUID, as stage1's gc expects. */
function portForwardingChain(uuid: string): string {
  return `RKT-PFWD-${uuid.slice(0, 8)}`;
}

/** Both the host's incoming and its own outgoing packets to a local address pass the chain. */
const JUMP_CHAINS = ["PREROUTING", "OUTPUT"];

function jumpRule(chain: string): string[] {
  return ["-m", "addrtype", "--dst-type", "LOCAL", "-j", chain];
}

function iptables(args: string[]): { ok: boolean; error: string } {
  const result = Bun.spawnSync(["iptables", "-w", "-t", "nat", ...args], { stdout: "ignore", stderr: "pipe" });
  return { ok: result.exitCode === 0, error: result.stderr.toString().trim() };
}

function mustIptables(args: string[]): void {
  const { ok, error } = iptables(args);
  if (!ok) throw new Error(`iptables -t nat ${args.join(" ")}: ${error}`);
}

/** Creates the pod's chain with one DNAT rule per port to `podIp`; nothing to forward, no chain. */
export function setUpPortForwarding(uuid: string, podIp: string, forwards: readonly PortForward[]): void {
  if (forwards.length === 0) return;
  const chain = portForwardingChain(uuid);
  try {
    mustIptables(["-N", chain]);
    for (const forward of forwards) {
      mustIptables(["-A", chain, "-p", forward.protocol, "--dport", String(forward.hostPort), "-j", "DNAT", "--to-destination", `${podIp}:${forward.podPort}`]);
    }
    for (const parent of JUMP_CHAINS) {
      if (!iptables(["-C", parent, ...jumpRule(chain)]).ok) mustIptables(["-I", parent, "1", ...jumpRule(chain)]);
    }
  } catch (err) {
    removePortForwarding(uuid);
    throw err;
  }
}

/** Deletes the jumps and the chain; missing pieces are fine. */
export function removePortForwarding(uuid: string): void {
  const chain = portForwardingChain(uuid);
  for (const parent of JUMP_CHAINS) iptables(["-D", parent, ...jumpRule(chain)]);
  iptables(["-F", chain]);
  iptables(["-X", chain]);
}
