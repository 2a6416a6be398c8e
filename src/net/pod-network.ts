// Private networking of a pod, set up by stage0 before it execs stage1 (rkt-internals
// §10): the network namespace at `<pod>/netns`, one CNI ADD per selected network with
// interfaces eth0, eth1, ..., the config copies in `net/`, `net-info.json` and the port
// forwarding, exactly what stage1's gc tears down (stage1/net_teardown.c). A failure
// half-way undoes what was done, so the pod keeps nothing of it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { App, ImageManifest, PodManifest } from "../appc";
import { parseAddResult, runPlugin, type PluginCall } from "./cni-plugin";
import { parseNetworkSelection, selectNetworks, type NetworkConfig } from "./network-config";
import { createNetworkNamespace, releaseNetworkNamespace } from "./network-namespace";
import { removePortForwarding, resolvePortForwards, setUpPortForwarding } from "./port-forwarding";

export interface PodNetworkRequest {
  /** Absolute path of the pod directory. */
  podPath: string;
  uuid: string;
  /** The `--private-net` value: `all` or a comma-separated list of names. */
  selection: string;
  localConfig: string;
  /** The pod manifest: its `ports` are forwarded to the apps' ports of those names. */
  manifest: PodManifest;
  /** The CNI plugins the pod's stage1 carries (in its tree in the store), looked up first. */
  stage1Plugins: string;
  warn?: (line: string) => void;
}

/** An entry of `net-info.json` (the format `rkt list`/`status` and stage1's gc read). */
export interface JoinedNetwork {
  netName: string;
  /** The config copy, relative to the pod directory (pods move between state directories). */
  netConf: string;
  ifName: string;
  ip: string;
  args: string;
  mask: string;
  /** The host side of the pod's link (the plugin's gateway): how the pod reaches the host. */
  gateway?: string;
}

const NET_INFO = "net-info.json";

/** The networks a selection joins, checked before any pod exists: unknown names are an error. */
export function checkNetworkSelection(selection: string, localConfig: string): string[] {
  return selectNetworks(parseNetworkSelection(selection), localConfig, () => {}).map((c) => c.name);
}

/** Sets up the pod's private networking; returns the joined networks (the default one last). */
export function setUpPodNetwork(req: PodNetworkRequest): JoinedNetwork[] {
  const warn = req.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const forwards = resolvePortForwards(req.manifest.ports ?? [], podApps(req.podPath, req.manifest));
  const configs = selectNetworks(parseNetworkSelection(req.selection), req.localConfig, warn);
  if (configs.length === 0 && forwards.length > 0) throw new Error(`a pod without networks has no address to forward ports to: drop --port, or join a network`);
  const netns = join(req.podPath, "netns");
  createNetworkNamespace(netns);
  const joined: JoinedNetwork[] = [];
  try {
    mkdirSync(join(req.podPath, "net"), { recursive: true });
    // An empty record still tells gc that the pod has a namespace to release.
    writeNetInfo(req.podPath, joined);
    configs.forEach((config, i) => joined.push(addNetwork(req, config, `eth${i}`, joined)));
    const last = joined.at(-1);
    if (last) setUpPortForwarding(req.uuid, last.ip, forwards);
    return joined;
  } catch (err) {
    try {
      tearDownPodNetwork(req, forwards.length > 0);
    } catch (cleanupError) {
      warn(`pod ${req.uuid}: undoing its network setup failed, gc will retry: ${(cleanupError as Error).message}`);
    }
    throw err;
  }
}

/** ADD of one network; its entry is recorded before the plugin runs, so a crash leaves it for gc. */
function addNetwork(req: PodNetworkRequest, config: NetworkConfig, ifName: string, joined: JoinedNetwork[]): JoinedNetwork {
  const netConf = configCopy(config.name);
  writeFileSync(join(req.podPath, netConf), config.text);
  const entry: JoinedNetwork = { netName: config.name, netConf, ifName, ip: "", args: "", mask: "" };
  writeNetInfo(req.podPath, [...joined, entry]);
  let address;
  try {
    address = parseAddResult(runPlugin(config, pluginCall(req, "ADD", ifName)));
  } catch (err) {
    forgetFailedNetwork(req, config, ifName, joined);
    throw new Error(`error adding network "${config.name}": ${(err as Error).message}`);
  }
  Object.assign(entry, { ip: address.ip, mask: address.mask, gateway: address.gateway });
  writeNetInfo(req.podPath, [...joined, entry]);
  return entry;
}

/** A plugin may have half-done its ADD: DEL releases that (CNI wants DEL to be safe then); a failing DEL is moot. */
function forgetFailedNetwork(req: PodNetworkRequest, config: NetworkConfig, ifName: string, joined: JoinedNetwork[]): void {
  try {
    runPlugin(config, pluginCall(req, "DEL", ifName));
  } catch {
    // nothing of it to release, or nothing we can release
  }
  rmSync(join(req.podPath, configCopy(config.name)), { force: true });
  writeNetInfo(req.podPath, joined);
}

/** Where the pod keeps the config a network was added with, for its DEL (relative to the pod). */
function configCopy(networkName: string): string {
  return join("net", `${networkName}.conf`);
}

function pluginCall(req: PodNetworkRequest, command: PluginCall["command"], ifName: string): PluginCall {
  return { command, podPath: req.podPath, uuid: req.uuid, netns: join(req.podPath, "netns"), ifName, stage1Plugins: req.stage1Plugins };
}

function writeNetInfo(podPath: string, networks: JoinedNetwork[]): void {
  writeFileSync(join(podPath, NET_INFO), JSON.stringify(networks));
}

/**
 * Undoes a half-made setup as stage1's gc would: the port forwarding (when the pod
 * forwards ports: only then may iptables be needed), DEL of every recorded network last
 * first, the copies, `net-info.json`, the namespace. A network whose DEL fails keeps its
 * record (and the namespace stays), so gc can try again.
 */
function tearDownPodNetwork(req: PodNetworkRequest, forwardsPorts: boolean): void {
  const podPath = req.podPath;
  if (forwardsPorts) removePortForwarding(req.uuid);
  const netInfo = join(podPath, NET_INFO);
  const entries = existsSync(netInfo) ? (JSON.parse(readFileSync(netInfo, "utf8")) as JoinedNetwork[]) : [];
  const remaining = entries.toReversed().filter((entry) => {
    const confPath = join(podPath, entry.netConf);
    if (!existsSync(confPath)) return false;
    const text = readFileSync(confPath, "utf8");
    const { type } = JSON.parse(text) as { type: string };
    try {
      runPlugin({ name: entry.netName, type, text }, pluginCall(req, "DEL", entry.ifName));
    } catch {
      return true;
    }
    rmSync(confPath);
    return false;
  });
  if (remaining.length > 0) {
    writeNetInfo(podPath, remaining.toReversed());
    return;
  }
  rmSync(netInfo, { force: true });
  rmSync(join(podPath, "net"), { recursive: true, force: true });
  releaseNetworkNamespace(join(podPath, "netns"));
}

/** Each app with its app section: the pod manifest's, else its image manifest's (written by stage0). */
function podApps(podPath: string, manifest: PodManifest): { name: string; app: App }[] {
  return manifest.apps.flatMap((runtimeApp) => {
    const app = runtimeApp.app ?? imageApp(podPath, runtimeApp.name);
    return app ? [{ name: runtimeApp.name, app }] : [];
  });
}

function imageApp(podPath: string, appName: string): App | undefined {
  const path = join(podPath, "stage1/rootfs/opt/stage2", appName, "manifest");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as ImageManifest).app : undefined;
}
