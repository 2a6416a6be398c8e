// Hiding a kernel wait from pod start-up. Moving a process between cgroups (stage1 puts
// each app into its cgroups by writing cgroup.procs) takes the kernel's global
// threadgroup lock for writing, and the first such write after a quiet spell waits a
// whole RCU grace period (10-40 ms measured here, for crun as much as for us); writes in
// the following ~15 ms do not wait. So `rkt run` makes one harmless migration, of itself
// into the cgroup it is already in, on a worker thread as soon as it knows its command:
// the grace period passes while stage0 does its own work.
import { readFileSync, writeFile } from "node:fs";
import { join } from "node:path";

/** Starts the no-op migration in the background; failures (no cgroupfs, no root) are ignored. */
export function warmUpCgroupMigration(procSelfCgroup = "/proc/self/cgroup"): void {
  try {
    const procs = ownCgroupProcsFile(readFileSync(procSelfCgroup, "utf8"));
    // Only when the file lists us: a cgroup namespace could make the path name another
    // cgroup, and writing ourselves into the cgroup we are in moves nothing.
    if (procs && readFileSync(procs, "utf8").split("\n").includes(String(process.pid))) {
      // The callback form: node:fs/promises would cost a module load of its own.
      writeFile(procs, "0", () => {});
    }
  } catch {
    // no cgroupfs here, or not ours to read
  }
}

/**
 * The cgroup.procs of our own cgroup: in the memory hierarchy of cgroup v1 (or hybrid),
 * else in the unified hierarchy of a pure cgroup v2 host.
 */
export function ownCgroupProcsFile(procSelfCgroup: string): string | undefined {
  const entries = procSelfCgroup
    .split("\n")
    .map((line) => /^\d+:([^:]*):(\/.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ controllers: m[1]!.split(","), path: m[2]! }));
  const memory = entries.find((e) => e.controllers.includes("memory"));
  if (memory) return join("/sys/fs/cgroup/memory", memory.path, "cgroup.procs");
  if (entries.length === 1 && entries[0]!.controllers[0] === "") return join("/sys/fs/cgroup", entries[0]!.path, "cgroup.procs");
  return undefined;
}
