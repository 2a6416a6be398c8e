// The files stage1 places in every app's /etc (stage1/README.md, "Files for the apps'
// /etc"): the host's time zone, a resolver configuration and a hosts table, either made
// from rkt 1.x's --dns, --dns-search, --dns-opt, --dns-domain and --hosts-entry flags
// (bound over what the image has) or taken from the host (only where the image has none).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { controlCharacterProblem } from "../appc";
import { readFileBounded } from "../sys";
import { stage1WrittenRoot } from "./pod-files";

/** `--dns` and its companions: the host's file, no file of rkt's, or one made from the flags. */
export type ResolvConfChoice =
  | { kind: "host" }
  | { kind: "none" }
  | { kind: "generated"; servers: string[]; search: string[]; options: string[]; domain?: string };

/** `--hosts-entry`: the host's file, or rkt's default table with these addresses and names. */
export type HostsChoice = { kind: "host" } | { kind: "entries"; entries: [address: string, name: string][] };

/** What the flags chose; a part left undefined takes the default. */
export interface PodEtcChoices {
  resolvConf?: ResolvConfChoice;
  hosts?: HostsChoice;
}

/** The raw values of the flags, each as given on the command line. */
export interface PodEtcFlagValues {
  dns: string[];
  dnsSearch: string[];
  dnsOpt: string[];
  dnsDomain?: string;
  hostsEntries: string[];
}

/** rkt's fallback table (stage1/net/rootfs/etc/hosts-fallback of rkt 1.x). */
const DEFAULT_HOSTS = "127.0.0.1 localhost localhost.localdomain localhost4 localhost4.localdomain4\n::1 localhost localhost.localdomain localhost6 localhost6.localdomain6\n";

/** A zone file, resolv.conf or hosts file larger than this is not a host's configuration. */
const HOST_FILE_LIMIT = 1024 * 1024;

/** Where prepare keeps the choices for run-prepared, in the pod directory. */
const CHOICES_FILE = "etc-choices.json";

/** A word of resolv.conf or hosts: no control character, blank or comment sign. */
function checkWord(flag: string, value: string): void {
  const problem = controlCharacterProblem(value);
  if (problem) throw new Error(`${flag}: ${JSON.stringify(value)} ${problem}`);
  if (value === "" || /[\s#;]/.test(value)) throw new Error(`${flag}: ${JSON.stringify(value)} must be one word, without blanks, '#' or ';'`);
}

const IPV4_OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`);

/** 4 or 6 for an IP address without a zone, else 0 (node:net's isIP costs 10 ms of start-up). */
function ipVersion(value: string): 0 | 4 | 6 {
  if (IPV4.test(value)) return 4;
  return /^[0-9a-fA-F:.]+$/.test(value) && value.includes(":") && URL.canParse(`http://[${value}]/`) ? 6 : 0;
}

function checkAddress(flag: string, value: string): void {
  if (ipVersion(value) === 0) throw new Error(`${flag}: ${JSON.stringify(value)} is not an IPv4 or IPv6 address`);
}

/** The resolv.conf choice of the flags, undefined when none was given; throws naming the flag. */
export function parseDnsFlags(v: Pick<PodEtcFlagValues, "dns" | "dnsSearch" | "dnsOpt" | "dnsDomain">): ResolvConfChoice | undefined {
  const magic = v.dns.find((s) => s === "host" || s === "none");
  if (magic !== undefined) {
    if (v.dns.length > 1 || v.dnsSearch.length > 0 || v.dnsOpt.length > 0 || v.dnsDomain !== undefined) {
      throw new Error(`--dns=${magic} cannot be combined with other --dns, --dns-search, --dns-opt or --dns-domain values`);
    }
    return { kind: magic as "host" | "none" };
  }
  if (v.dns.length === 0 && v.dnsSearch.length === 0 && v.dnsOpt.length === 0 && v.dnsDomain === undefined) return undefined;
  for (const server of v.dns) checkAddress("--dns", server);
  for (const domain of v.dnsSearch) checkWord("--dns-search", domain);
  for (const option of v.dnsOpt) checkWord("--dns-opt", option);
  if (v.dnsDomain !== undefined) checkWord("--dns-domain", v.dnsDomain);
  return { kind: "generated", servers: v.dns, search: v.dnsSearch, options: v.dnsOpt, domain: v.dnsDomain };
}

/** The hosts choice of `--hosts-entry` values (each `host` or a list `IP=NAME,...`). */
export function parseHostsEntryFlags(values: readonly string[]): HostsChoice | undefined {
  const items = values.flatMap((v) => v.split(","));
  if (items.length === 0) return undefined;
  if (items.includes("host")) {
    if (items.length > 1) throw new Error("--hosts-entry=host cannot be combined with IP=NAME entries");
    return { kind: "host" };
  }
  const entries = items.map((item): [string, string] => {
    const eq = item.indexOf("=");
    if (eq < 0) throw new Error(`--hosts-entry: ${JSON.stringify(item)} is not IP=NAME or host`);
    const address = item.slice(0, eq);
    const name = item.slice(eq + 1);
    checkAddress("--hosts-entry", address);
    checkWord("--hosts-entry", name);
    return [address, name];
  });
  return { kind: "entries", entries };
}

/** The choices of the flags; throws naming the flag and value. */
export function parsePodEtcFlags(v: PodEtcFlagValues): PodEtcChoices {
  return { resolvConf: parseDnsFlags(v), hosts: parseHostsEntryFlags(v.hostsEntries) };
}

/** resolv.conf as rkt 1.x generates it (Documentation/networking/dns.md). */
export function generatedResolvConf(c: Extract<ResolvConfChoice, { kind: "generated" }>): string {
  const lines = ["# Generated by rkt run", ""];
  if (c.search.length) lines.push(`search ${c.search.join(" ")}`);
  for (const server of c.servers) lines.push(`nameserver ${server}`);
  if (c.options.length) lines.push(`options ${c.options.join(" ")}`);
  if (c.domain !== undefined) lines.push(`domain ${c.domain}`);
  return `${lines.join("\n")}\n`;
}

/** rkt's default table, then one line per address with its names in the order given. */
export function generatedHosts(entries: readonly [string, string][]): string {
  const names = new Map<string, string[]>();
  for (const [address, name] of entries) names.set(address, [...(names.get(address) ?? []), name]);
  return `${DEFAULT_HOSTS}\n${[...names].map(([address, list]) => `${address} ${list.join(" ")}\n`).join("")}`;
}

function isLoopback(address: string): boolean {
  const version = ipVersion(address);
  if (version === 4) return address.startsWith("127.");
  return version === 6 && new URL(`http://[${address}]/`).hostname === "[::1]";
}

/**
 * The host's resolv.conf as a pod in its own network namespace can use it: without its
 * loopback name servers (a local stub resolver is not the pod's); undefined when none is left.
 */
export function resolvConfForPrivateNet(hostResolvConf: string): string | undefined {
  const lines = hostResolvConf.split("\n");
  const kept = lines.filter((line) => {
    const [keyword, address] = line.trim().split(/\s+/);
    return keyword !== "nameserver" || (address !== undefined && !isLoopback(address));
  });
  const hasServer = kept.some((line) => line.trim().split(/\s+/)[0] === "nameserver");
  return hasServer ? kept.join("\n") : undefined;
}

/** The host's configuration files; undefined for each one it lacks. */
export interface HostEtc {
  localtime?: Buffer;
  resolvConf?: string;
  hosts?: string;
}

function readHostFile(path: string): Buffer | undefined {
  return existsSync(path) ? readFileBounded(path, HOST_FILE_LIMIT) : undefined;
}

export function readHostEtc(): HostEtc {
  return {
    localtime: readHostFile("/etc/localtime"),
    resolvConf: readHostFile("/etc/resolv.conf")?.toString("utf8"),
    hosts: readHostFile("/etc/hosts")?.toString("utf8"),
  };
}

/** The files of `rkt/etc/override/` and `rkt/etc/default/`, by name under /etc. */
export interface PodEtcFiles {
  override: Map<string, Buffer | string>;
  fallback: Map<string, Buffer | string>;
}

/**
 * What every app's /etc gets. The time zone is always the host's; the resolver and
 * hosts files of a host-network pod are the host's, a private-network pod gets the
 * host's resolv.conf only when it names a name server the pod can reach, and rkt's
 * default hosts table.
 */
export function podEtcFiles(choices: PodEtcChoices, privateNet: boolean, host: HostEtc): PodEtcFiles {
  const override = new Map<string, Buffer | string>();
  const fallback = new Map<string, Buffer | string>();
  const put = (map: Map<string, Buffer | string>, name: string, content: Buffer | string | undefined) => {
    if (content !== undefined) map.set(name, content);
  };
  put(fallback, "localtime", host.localtime);
  const resolv = choices.resolvConf;
  if (resolv === undefined) put(fallback, "resolv.conf", privateNet && host.resolvConf !== undefined ? resolvConfForPrivateNet(host.resolvConf) : host.resolvConf);
  else if (resolv.kind === "host") put(override, "resolv.conf", host.resolvConf ?? "");
  else if (resolv.kind === "generated") put(override, "resolv.conf", generatedResolvConf(resolv));
  const hosts = choices.hosts;
  if (hosts === undefined) put(fallback, "hosts", privateNet ? DEFAULT_HOSTS : (host.hosts ?? DEFAULT_HOSTS));
  else if (hosts.kind === "host") put(override, "hosts", host.hosts ?? "");
  else put(override, "hosts", generatedHosts(hosts.entries));
  return { override, fallback };
}

/** prepare: keeps the flags' choices in the pod directory for the start. */
export function savePodEtcChoices(podPath: string, choices: PodEtcChoices): void {
  writeFileSync(join(podPath, CHOICES_FILE), JSON.stringify(choices));
}

function savedPodEtcChoices(podPath: string): PodEtcChoices {
  const file = join(podPath, CHOICES_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as PodEtcChoices) : {};
}

/**
 * At the start, before the overlays are mounted: writes the pod's /etc files from the
 * choices saved at prepare, each part replaced by `given` (run-prepared's flags) when set,
 * and from the host's files as they are now.
 */
export function writePodEtcFiles(podPath: string, privateNet: boolean, given: PodEtcChoices = {}): void {
  const saved = savedPodEtcChoices(podPath);
  const choices: PodEtcChoices = { resolvConf: given.resolvConf ?? saved.resolvConf, hosts: given.hosts ?? saved.hosts };
  const files = podEtcFiles(choices, privateNet, readHostEtc());
  const etc = join(stage1WrittenRoot(podPath), "rkt", "etc");
  rmSync(etc, { recursive: true, force: true });
  for (const [dir, map] of [["override", files.override], ["default", files.fallback]] as const) {
    mkdirSync(join(etc, dir), { recursive: true, mode: 0o755 });
    for (const [name, content] of map) writeFileSync(join(etc, dir, name), content, { mode: 0o644 });
  }
}
