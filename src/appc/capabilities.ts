// Linux capabilities by name and number (linux/capability.h), and the bounding set an
// app keeps under the retain-set / remove-set isolators (appc.md §1).
import type { CapabilitySetValue, Isolator } from "./types";

/** Capability names in number order: CAP_CHOWN is 0, CAP_CHECKPOINT_RESTORE is 40. */
export const capabilityNames: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
];

export const RETAIN_SET = "os/linux/capabilities-retain-set";
export const REMOVE_SET = "os/linux/capabilities-remove-set";

export function isCapabilityName(name: string): boolean {
  return capabilityNames.includes(name);
}

/** The number of a capability named like `CAP_NET_ADMIN`; throws for an unknown name. */
export function capabilityNumber(name: string): number {
  const n = capabilityNames.indexOf(name);
  if (n === -1) throw new Error(`unknown capability "${name}"`);
  return n;
}

export interface CapabilitySets {
  /** Capability numbers of the last retain-set isolator, if any. */
  retain?: number[];
  /** Capability numbers of the last remove-set isolator, if any. */
  remove?: number[];
}

function lastSet(isolators: readonly Isolator[], name: string): number[] | undefined {
  const isolator = isolators.findLast((i) => i.name === name);
  if (!isolator) return undefined;
  return (isolator.value as CapabilitySetValue).set.map(capabilityNumber);
}

/** The retain and remove sets of an app's isolators (the last of each name counts). */
export function capabilitySets(isolators: readonly Isolator[] | null | undefined): CapabilitySets {
  return { retain: lastSet(isolators ?? [], RETAIN_SET), remove: lastSet(isolators ?? [], REMOVE_SET) };
}

/**
 * The bounding set an app keeps, sorted: the retain-set if there is one, else `base`
 * (every capability by default) minus the remove-set.
 */
export function capabilityBoundingSet(
  isolators: readonly Isolator[] | null | undefined,
  base: readonly number[] = capabilityNames.map((_, n) => n),
): number[] {
  const { retain, remove } = capabilitySets(isolators);
  const kept = retain ?? base.filter((n) => !remove?.includes(n));
  return [...new Set(kept)].sort((a, b) => a - b);
}
