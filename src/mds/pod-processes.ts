// Whether a TCP connection to the service is held by a process of a given pod: the
// identity of pods on the host network, which all call from the host's addresses. A pod
// is named by its stage1 `init` (the process of `rkt run`, which registered it; its
// start time tells a reused PID apart); its processes are those in the PID namespace of
// init's child, the pod's PID 1, so `rkt enter`ed commands count and no other pod's do.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { plainAddress } from "./caller";

/** The registering process, which becomes the pod's stage1 `init`. */
export interface PodAnchor {
  pid: number;
  /** Field 22 of /proc/PID/stat at registration. */
  startTime: string;
}

export interface TcpEndpoint {
  address: string;
  port: number;
}

function readOrUndefined(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined; // the process or socket is gone
  }
}

/** Parent PID and start time from /proc/PID/stat (the command name may hold spaces and parentheses). */
function processStat(pid: number): { parent: number; startTime: string } | undefined {
  const stat = readOrUndefined(() => readFileSync(`/proc/${pid}/stat`, "utf8"));
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { parent: Number(fields[1]), startTime: fields[19]! };
}

/** The anchor of a pod registered by the running process PID; undefined when there is none. */
export function podAnchorOf(pid: number): PodAnchor | undefined {
  const stat = processStat(pid);
  return stat && { pid, startTime: stat.startTime };
}

/** An IPv4 address in /proc/net/tcp's hex form (a 32-bit word in host order), as text. */
function decodeProcAddress(hex: string): string {
  return (hex.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)).join(".");
}

/**
 * The socket inode of the caller's end of its connection to `serverPort`, from the host
 * network's table (the app API listens on IPv4 only, so its callers are in /proc/net/tcp).
 */
function callerSocketInode(caller: TcpEndpoint, serverPort: number): string | undefined {
  const address = plainAddress(caller.address);
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [localAddress, localPort] = fields[1]!.split(":") as [string, string];
    const remotePort = fields[2]!.split(":")[1]!;
    if (parseInt(localPort, 16) === caller.port && parseInt(remotePort, 16) === serverPort && decodeProcAddress(localAddress) === address && fields[9] !== "0") return fields[9];
  }
  return undefined;
}

/** Every process's PID namespace and parent, in one pass over /proc. */
function processTable(): { pid: number; parent: number; pidNamespace: string }[] {
  const table = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = processStat(pid);
    const pidNamespace = readOrUndefined(() => readlinkSync(`/proc/${pid}/ns/pid`));
    if (stat && pidNamespace) table.push({ pid, parent: stat.parent, pidNamespace });
  }
  return table;
}

function holdsSocket(pid: number, inode: string): boolean {
  const target = `socket:[${inode}]`;
  const fds = readOrUndefined(() => readdirSync(`/proc/${pid}/fd`).join("\n"))?.split("\n") ?? [];
  return fds.some((fd) => fd !== "" && readOrUndefined(() => readlinkSync(`/proc/${pid}/fd/${fd}`)) === target);
}

/** Whether the caller's end of its connection to `serverPort` is held by a process of the pod of `anchor`. */
export function connectionHeldByPod(anchor: PodAnchor, caller: TcpEndpoint, serverPort: number): boolean {
  if (processStat(anchor.pid)?.startTime !== anchor.startTime) return false;
  const inode = callerSocketInode(caller, serverPort);
  if (inode === undefined) return false;
  const processes = processTable();
  const initNamespace = processes.find((p) => p.pid === anchor.pid)?.pidNamespace;
  const podNamespace = processes.find((p) => p.parent === anchor.pid && p.pidNamespace !== initNamespace)?.pidNamespace;
  if (podNamespace === undefined) return false;
  return processes.some((p) => p.pidNamespace === podNamespace && holdsSocket(p.pid, inode));
}
