// Running a CNI plugin as rkt did (rkt-internals §10.3): found by the config's `type`,
// config on stdin, CNI_* in the environment, the result or error as JSON on stdout.
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import type { NetworkConfig } from "./network-config";

const HOST_PLUGIN_DIRECTORIES = ["/usr/lib/rkt/plugins/net", "/usr/lib/cni", "/opt/cni/bin"];

/**
 * Where a config's plugin is looked up, in order: the plugins the pod's stage1 carries
 * first, then the host's; but the host's first for a config of CNI spec 1.0 or newer,
 * which the stage1's plugins (CNI spec up to 0.4.0) refuse. stage1's gc follows the same
 * rule (stage1/README.md).
 */
function pluginDirectories(call: PluginCall, config: NetworkConfig): string[] {
  const version = (JSON.parse(config.text) as { cniVersion?: unknown }).cniVersion;
  const major = typeof version === "string" ? Number.parseInt(version, 10) : 0;
  return major >= 1 ? [...HOST_PLUGIN_DIRECTORIES, call.stage1Plugins] : [call.stage1Plugins, ...HOST_PLUGIN_DIRECTORIES];
}

export interface PluginCall {
  command: "ADD" | "DEL";
  podPath: string;
  uuid: string;
  /** Absolute path of the bound network namespace. */
  netns: string;
  ifName: string;
  /** The plugins of the pod's stage1: its tree's `rootfs/usr/lib/rkt/plugins/net`. */
  stage1Plugins: string;
}

/** The pod's side of a network: its address, the host side's, and the address mask. */
export interface NetworkAddress {
  ip: string;
  gateway: string;
  mask: string;
}

function findPlugin(directories: readonly string[], type: string): string {
  for (const dir of directories) {
    const candidate = join(dir, type);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`Could not find plugin "${type}": install it in one of ${HOST_PLUGIN_DIRECTORIES.join(", ")} (Debian's containernetworking-plugins fills /usr/lib/cni)`);
}

/** Runs the plugin of `config`; returns its stdout, or throws its error message. */
export function runPlugin(config: NetworkConfig, call: PluginCall): string {
  const directories = pluginDirectories(call, config);
  const plugin = findPlugin(directories, config.type);
  const env = {
    ...process.env,
    CNI_COMMAND: call.command,
    CNI_CONTAINERID: call.uuid,
    CNI_NETNS: call.netns,
    CNI_IFNAME: call.ifName,
    CNI_ARGS: "",
    CNI_PATH: directories.join(":"),
  };
  const result = Bun.spawnSync([plugin], { stdin: Buffer.from(config.text), env, stdout: "pipe", stderr: "pipe" });
  const stdout = result.stdout.toString();
  if (result.exitCode !== 0) throw new Error(pluginFailure(stdout, result.stderr.toString(), result.exitCode));
  return stdout;
}

/** `msg; details` of a CNI error result, else whatever the plugin printed. */
function pluginFailure(stdout: string, stderr: string, exitCode: number | null): string {
  try {
    const error = JSON.parse(stdout) as { msg?: string; details?: string };
    if (error.msg) return error.details ? `${error.msg}; ${error.details}` : error.msg;
  } catch {
    // not a CNI error result
  }
  const text = (stderr.trim() || stdout.trim()).split("\n").pop() ?? "";
  return text || `plugin exited with status ${exitCode}`;
}

/** The IPv4 address of an ADD result, in the 0.1/0.2 `ip4` form or the 0.3+ `ips` form. */
export function parseAddResult(stdout: string): NetworkAddress {
  let result: { ip4?: { ip?: string; gateway?: string }; ips?: { version?: string; address?: string; gateway?: string }[] };
  try {
    result = JSON.parse(stdout);
  } catch (err) {
    throw new Error(`net-plugin returned an unreadable result: ${(err as Error).message}`);
  }
  const ip4 = result.ip4 ?? result.ips?.find((ip) => ip.version === "4" || (ip.address ?? "").includes("."));
  const cidr = ip4 && ("ip" in ip4 ? ip4.ip : (ip4 as { address?: string }).address);
  if (!ip4 || !cidr) throw new Error("net-plugin returned no IPv4 configuration");
  const [ip, prefix] = cidr.split("/");
  return { ip: ip!, gateway: ip4.gateway ?? "", mask: prefixToMask(Number(prefix ?? 32)) };
}

function prefixToMask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 0xff).join(".");
}
