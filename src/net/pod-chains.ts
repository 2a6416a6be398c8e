// The iptables chains of a pod (stage1/README.md, "Iptables chains of a pod"): each is
// `RKT-PFWD-<first 8 characters of the UUID>` followed by its role's suffix, and only the
// jumps listed here lead to it, so removing it is always "delete its jumps, flush it,
// delete it". stage1/net_teardown.c removes the same list: change both together.

/** Where a chain lives and which built-in chains jump to it, all with the same match. */
export interface ChainRole {
  table: "nat" | "raw";
  suffix: string;
  parents: readonly string[];
  jumpMatch: readonly string[];
}

export const POD_CHAIN_ROLES = {
  /** DNAT of the host ports to the pod (§10.4), for packets to any of the host's own addresses. */
  forward: { table: "nat", suffix: "", parents: ["PREROUTING", "OUTPUT"], jumpMatch: ["-m", "addrtype", "--dst-type", "LOCAL"] },
  /** Masquerade of forwarded connections from 127.0.0.0/8, so that the pod answers the host, not itself. */
  localhostSource: { table: "nat", suffix: "-SNAT", parents: ["POSTROUTING"], jumpMatch: [] },
  /** Drops what comes from the pod's side to 127.0.0.0/8, which route_localnet would let reach the host's loopback services. */
  localnetGuard: { table: "raw", suffix: "-LOCALNET", parents: ["PREROUTING"], jumpMatch: [] },
} as const satisfies Record<string, ChainRole>;

/** iptables' limit on chain names; the longest suffix keeps within it. */
const MAX_CHAIN_NAME = 28;

export function podChainName(uuid: string, role: ChainRole): string {
  const name = `RKT-PFWD-${uuid.slice(0, 8)}${role.suffix}`;
  if (name.length > MAX_CHAIN_NAME) throw new Error(`iptables chain name ${name} is longer than ${MAX_CHAIN_NAME} characters`);
  return name;
}

function iptables(table: string, args: readonly string[]): { ok: boolean; error: string } {
  let result: ReturnType<typeof Bun.spawnSync>;
  try {
    result = Bun.spawnSync(["iptables", "-w", "-t", table, ...args], { stdout: "ignore", stderr: "pipe" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    throw new Error("iptables not found in PATH: install it (Debian: apt-get install iptables); --port and the default network's masquerade need it");
  }
  return { ok: result.exitCode === 0, error: result.stderr?.toString().trim() ?? "" };
}

function mustIptables(table: string, args: readonly string[]): void {
  const { ok, error } = iptables(table, args);
  if (!ok) throw new Error(`iptables -t ${table} ${args.join(" ")}: ${error}`);
}

function jumpRule(role: ChainRole, chain: string): string[] {
  return [...role.jumpMatch, "-j", chain];
}

/** Creates the pod's chain of `role` with `rules` (each the arguments after `-A CHAIN`), then its jumps, first in their parents. */
export function createPodChain(uuid: string, role: ChainRole, rules: readonly (readonly string[])[]): void {
  const chain = podChainName(uuid, role);
  mustIptables(role.table, ["-N", chain]);
  for (const rule of rules) mustIptables(role.table, ["-A", chain, ...rule]);
  for (const parent of role.parents) {
    if (!iptables(role.table, ["-C", parent, ...jumpRule(role, chain)]).ok) mustIptables(role.table, ["-I", parent, "1", ...jumpRule(role, chain)]);
  }
}

/** Deletes every chain of the pod with its jumps; missing pieces are fine. */
export function removePodChains(uuid: string): void {
  for (const role of Object.values(POD_CHAIN_ROLES)) {
    const chain = podChainName(uuid, role);
    for (const parent of role.parents) iptables(role.table, ["-D", parent, ...jumpRule(role, chain)]);
    iptables(role.table, ["-F", chain]);
    iptables(role.table, ["-X", chain]);
  }
}
