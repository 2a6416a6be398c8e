// Which networks a pod joins (rkt-internals §10.2): the `.conf` files of
// `<local-config>/net.d/` in file-name order, then rkt's built-in `default` or
// `default-restricted` network last, unless the user defined either.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A network config as the CNI plugin gets it on stdin. */
export interface NetworkConfig {
  name: string;
  /** The plugin, looked up by this name (§10.3). */
  type: string;
  /** The config's bytes, passed on unchanged. */
  text: string;
}

/** The selection meaning every network (`--private-net` without a list). */
export const ALL_NETWORKS = "all";

/** The selection meaning no network: a namespace with loopback only (rkt 1.x's `--net=none`). */
export const NO_NETWORK = "none";

const DEFAULT_SUBNET = "172.16.28.0/24";

/**
 * rkt's built-ins with its `host-local-ptp` IPAM replaced by `host-local`, which today's
 * plugins have (§10.2, ours): the pod gets an address of the subnet, the host side its gateway.
 */
const BUILT_IN_NETWORKS: Record<string, object> = {
  default: {
    cniVersion: "0.3.1",
    name: "default",
    type: "ptp",
    ipMasq: true,
    ipam: { type: "host-local", subnet: DEFAULT_SUBNET, routes: [{ dst: "0.0.0.0/0" }] },
  },
  "default-restricted": {
    cniVersion: "0.3.1",
    name: "default-restricted",
    type: "ptp",
    ipMasq: false,
    ipam: { type: "host-local", subnet: DEFAULT_SUBNET },
  },
};

/** `all`, or a comma-separated list of network names, as `--private-net=` takes it. */
export function parseNetworkSelection(value: string): string[] {
  const names = value.split(",").map((n) => n.trim()).filter((n) => n !== "");
  if (names.length === 0) throw new Error(`--private-net: no network named in "${value}"`);
  return names;
}

/** The user's network configs in `<localConfig>/net.d`, first definition of a name winning. */
function userNetworkConfigs(localConfig: string, warn: (line: string) => void): NetworkConfig[] {
  const dir = join(localConfig, "net.d");
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".conf")).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const configs: NetworkConfig[] = [];
  for (const file of files) {
    const config = parseNetworkConfig(readFileSync(join(dir, file), "utf8"), join(dir, file));
    if (configs.some((c) => c.name === config.name)) warn(`"${config.name}" network already defined, ignoring ${file}`);
    else configs.push(config);
  }
  return configs;
}

function parseNetworkConfig(text: string, where: string): NetworkConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not valid JSON: ${(err as Error).message}`);
  }
  const { name, type } = (json ?? {}) as { name?: unknown; type?: unknown };
  if (typeof name !== "string" || name === "") throw new Error(`${where}: network config without a "name"`);
  if (typeof type !== "string" || type === "") throw new Error(`${where}: network "${name}" has no "type"`);
  return { name, type, text };
}

/** The networks of a selection in joining order (eth0 first), the default one last. */
export function selectNetworks(selection: readonly string[], localConfig: string, warn: (line: string) => void): NetworkConfig[] {
  if (selection.includes(NO_NETWORK)) {
    if (selection.length > 1) throw new Error(`"${NO_NETWORK}" (loopback only) cannot be combined with other networks`);
    return [];
  }
  const all = selection.includes(ALL_NETWORKS);
  const user = userNetworkConfigs(localConfig, warn);
  const chosen = all ? user : user.filter((c) => selection.includes(c.name));
  if (!user.some((c) => c.name === "default" || c.name === "default-restricted")) {
    const builtIn = all || selection.includes("default") ? "default" : "default-restricted";
    chosen.push(parseNetworkConfig(JSON.stringify(BUILT_IN_NETWORKS[builtIn]), `built-in network ${builtIn}`));
  }
  const missing = selection.filter((name) => name !== ALL_NETWORKS && !chosen.some((c) => c.name === name));
  if (missing.length > 0) throw new Error(`networks not found: ${missing.join(", ")}`);
  return chosen;
}
