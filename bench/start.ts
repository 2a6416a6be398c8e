// Start benchmark (`bun bench/start.ts [RUNS]`, as root, after `bun build.ts`):
// start-to-exit of busybox's /bin/true from a cached image with `rkt run`, against
// crun, systemd-nspawn and the `unshare + chroot` floor on the same rootfs; then gc time
// per exited pod, `rkt list` with 1000 pods and `rkt version` against a minimal compiled
// Bun program (Bun's own start-up floor), built here. Contenders run interleaved, round
// after round, so that the machine's noise falls on all of them alike; every figure is
// printed as a ratio to its yardstick from the same run, with the CPU it ran on.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { listLibrary } from "../src/sys";
import { busybox, imageManifest, makeTestAci, rktBinary, tempDataDir, tempDir, unmountUnder } from "../test/support/harness";

const runs = Number(process.argv[2] ?? 20);
const gcPods = Number(process.env.GC_PODS ?? 20);
const listPods = 1000;
// RKT_BENCH_START_UP_ONLY=1: only the start-up lines (rkt version, rkt list), without the run and gc timings.
const startUpOnly = process.env.RKT_BENCH_START_UP_ONLY === "1";

function sh(argv: string[], opts: { quiet?: boolean } = {}): { ok: boolean; out: string; err: string } {
  const p = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const result = { ok: p.exitCode === 0, out: p.stdout.toString(), err: p.stderr.toString() };
  if (!result.ok && !opts.quiet) process.stderr.write(`bench: ${argv.join(" ")} failed: ${result.err.trim().split("\n").pop()}\n`);
  return result;
}

// Starts 100 ms apart: the kernel lets cgroup migrations skip an RCU grace period for
// ~15 ms after the previous one, so back-to-back runs would measure a warm lock that a
// pod started on its own does not find (see src/sys/cgroup-warmup.ts).
const PAUSE_BETWEEN_RUNS_MS = 100;

interface Contender {
  label: string;
  argv: () => string[];
  /** Untimed, before each run. */
  prepare?: () => void;
  /** Why it cannot run here (a tool missing), if so. */
  unavailable?: string;
}

interface Timing {
  median?: number;
  /** Why there is no median: the contender failed (it is then left out of later rounds). */
  reason?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median wall time in ms of `n` runs of each contender, one run of each per round. */
function timeInterleaved(contenders: Contender[], n = runs): Timing[] {
  const times: number[][] = contenders.map(() => []);
  const reasons = contenders.map((c) => c.unavailable);
  for (let round = 0; round < n; round++) {
    contenders.forEach((c, i) => {
      if (reasons[i] !== undefined) return;
      c.prepare?.();
      Bun.sleepSync(PAUSE_BETWEEN_RUNS_MS);
      const args = c.argv();
      const start = performance.now();
      const p = Bun.spawnSync(args, { stdout: "ignore", stderr: "pipe", stdin: "ignore" });
      const elapsed = performance.now() - start;
      if (p.exitCode !== 0) reasons[i] = `${c.label} exited ${p.exitCode}: ${p.stderr.toString().trim().split("\n").pop()}`;
      else times[i]!.push(elapsed);
    });
  }
  return contenders.map((_, i) => (reasons[i] !== undefined ? { reason: reasons[i] } : { median: median(times[i]!) }));
}

/** `label: median X ms = R x yardstick` (or why it was not measured). */
function ratioLine(label: string, t: Timing, yardstick: string, y: Timing): string {
  if (t.median === undefined) return `${label}: not measured (${t.reason})`;
  if (y.median === undefined) return `${label}: median ${t.median.toFixed(1)} ms (${yardstick} not measured: ${y.reason})`;
  return `${label}: ${(t.median / y.median).toFixed(2)}x ${yardstick} (medians ${t.median.toFixed(1)} / ${y.median.toFixed(1)} ms)`;
}

function ensureTool(binary: string, aptPackage: string): boolean {
  if (sh(["sh", "-c", `command -v ${binary}`], { quiet: true }).ok) return true;
  process.stderr.write(`bench: installing ${aptPackage}\n`);
  sh(["apt-get", "install", "-y", "-q", aptPackage], { quiet: true });
  return sh(["sh", "-c", `command -v ${binary}`], { quiet: true }).ok;
}

/** The OCI config of /bin/true on the bundle's read-only rootfs; false if crun cannot write one. */
function writeCrunConfig(bundle: string): boolean {
  if (existsSync(join(bundle, "config.json"))) return true;
  const spec = sh(["sh", "-c", `cd ${bundle} && crun spec`]);
  if (!spec.ok) return false;
  const config = JSON.parse(readFileSync(join(bundle, "config.json"), "utf8"));
  config.process.terminal = false;
  config.process.args = ["/bin/true"];
  config.root = { path: "rootfs", readonly: true };
  writeFileSync(join(bundle, "config.json"), JSON.stringify(config));
  return true;
}

if (!existsSync(rktBinary)) throw new Error(`${rktBinary} is missing: run bun build.ts first`);

// crun refuses a hybrid cgroup layout (v1 controllers plus a cgroup2 mount at
// /sys/fs/cgroup/unified). Every contender then runs in one mount namespace without that
// mount: the same v1 controllers for all, and crun runs with its cgroups as it would on a
// pure v1 host.
const HIDDEN_UNIFIED = "RKT_BENCH_UNIFIED_HIDDEN";
if (!process.env[HIDDEN_UNIFIED] && isCgroup2Mount("/sys/fs/cgroup/unified")) {
  const script = 'mount --make-rprivate / && umount -l /sys/fs/cgroup/unified && exec "$@"';
  const child = Bun.spawnSync(["unshare", "-m", "sh", "-c", script, "sh", process.execPath, ...process.argv.slice(1)], {
    env: { ...process.env, [HIDDEN_UNIFIED]: "1" },
    stdio: ["inherit", "inherit", "inherit"],
  });
  process.exit(child.exitCode ?? 1);
}
if (process.env[HIDDEN_UNIFIED]) process.stdout.write("hybrid cgroup host: measured in a mount namespace without /sys/fs/cgroup/unified (for crun)\n");

function isCgroup2Mount(path: string): boolean {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .some((line) => line.split(" ")[4] === path && line.includes(" - cgroup2 "));
}

const report: string[] = [`machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(1)} at start`];
const work = tempDir("rkt-bench-");
const data = tempDataDir("rkt-bench-data-");
try {
  // The image and its rootfs for the peers.
  const aci = makeTestAci(work.path, "true.aci", {
    manifest: imageManifest("example.com/true", { app: { exec: ["/bin/true"], user: "0", group: "0" } }),
    copies: { "bin/busybox": busybox },
    symlinks: { "bin/true": "busybox", "bin/sh": "busybox" },
  });
  const rootfs = join(work.path, "bundle", "rootfs");
  mkdirSync(rootfs, { recursive: true });
  sh(["tar", "-xf", aci, "-C", join(work.path, "bundle"), "rootfs"]);
  // systemd-nspawn refuses a root without /usr; an empty one satisfies it.
  mkdirSync(join(rootfs, "usr"));

  const rkt = (...args: string[]) => [rktBinary, `--dir=${data.path}`, "--insecure-skip-verify", ...args];
  const fetched = sh(rkt("fetch", aci));
  if (!fetched.ok) throw new Error("rkt fetch failed");
  const imageId = fetched.out.trim();
  // The first run imports the stage1 and renders the trees; the timed ones reuse them.
  if (!sh(rkt("run", "--mds-register=false", imageId)).ok) throw new Error("rkt run failed");

  if (!startUpOnly) {
    // Each timed start finds the host as crun leaves it (crun removes its container at exit):
    // the exited pods are collected first, untimed. An exited pod keeps its overlay mounts
    // in the host namespace until gc (as in rkt); a series that leaves them is measured
    // separately below.
    const collect = () => {
      for (let pass = 0; pass < 2; pass++) sh(rkt("gc", "--grace-period=0s"));
    };
    // stage0 alone: a stage1 whose run entrypoint is busybox's `true` exits as soon as rkt hands over.
    const noopStage1 = makeTestAci(work.path, "noop-stage1.aci", {
      manifest: imageManifest("example.com/noop-stage1", { annotations: [{ name: "coreos.com/rkt/stage1/run", value: "/bin/true" }] }),
      copies: { "bin/busybox": busybox },
      symlinks: { "bin/true": "busybox" },
    });
    const noopKey = sh(rkt("fetch", noopStage1)).out.trim();
    const bundle = join(work.path, "bundle");
    const crunReady = ensureTool("crun", "crun") && writeCrunConfig(bundle);
    const nspawnReady = ensureTool("systemd-nspawn", "systemd-container");
    let crunRuns = 0;
    const starts = timeInterleaved([
      { label: "rkt run", argv: () => rkt("run", "--mds-register=false", imageId), prepare: collect },
      { label: "rkt run (no-op stage1)", argv: () => rkt("run", "--mds-register=false", `--stage1-image=${noopKey}`, imageId), prepare: collect },
      { label: "crun run", argv: () => ["crun", "run", "--bundle", bundle, `rkt-bench-${process.pid}-${crunRuns++}`], unavailable: crunReady ? undefined : "crun cannot run here" },
      { label: "systemd-nspawn", argv: () => ["systemd-nspawn", "--keep-unit", "-q", "--register=no", "-D", rootfs, "/bin/true"], unavailable: nspawnReady ? undefined : "systemd-nspawn not installable" },
      { label: "unshare -fpmiu chroot", argv: () => ["unshare", "-fpmiu", "chroot", rootfs, "/bin/true"] },
    ]);
    const [ours, stage0, crun, nspawn, unshare] = starts as [Timing, Timing, Timing, Timing, Timing];
    if (ours.median === undefined) throw new Error(ours.reason);
    report.push(`rkt run /bin/true, cached image, exited pods collected between runs (${runs} runs of each, interleaved):`);
    report.push(`  ${ratioLine("rkt run", ours, "crun run", crun)}`);
    report.push(`  ${ratioLine("rkt run", ours, "systemd-nspawn --keep-unit", nspawn)}`);
    report.push(`  ${ratioLine("rkt run", ours, "unshare -fpmiu chroot (floor)", unshare)}`);
    report.push(`  ${ratioLine("stage0 alone (rkt run up to the exec of a no-op stage1)", stage0, "crun run", crun)}`);

    collect();
    const [uncollected] = timeInterleaved([{ label: "rkt run (uncollected pods)", argv: () => rkt("run", "--mds-register=false", imageId) }]) as [Timing];
    report.push(ratioLine(`rkt run with the exited pods left uncollected (0 to ${runs - 1} of them)`, uncollected, "rkt run collected", ours));

    // gc: the exited pods so far and N more, then one gc that marks and one that sweeps.
    for (let i = 0; i < gcPods; i++) sh(rkt("run", "--mds-register=false", imageId));
    const exitedPods = readdirSync(join(data.path, "pods", "run")).length;
    const gcStart = performance.now();
    const gc1 = sh([rktBinary, `--dir=${data.path}`, "gc", "--grace-period=0s"]);
    const gc2 = sh([rktBinary, `--dir=${data.path}`, "gc", "--grace-period=0s"]);
    const gcMs = performance.now() - gcStart;
    const pods = join(data.path, "pods");
    const stateDirs = existsSync(pods) ? readdirSync(pods, { withFileTypes: true }).filter((entry) => entry.isDirectory()) : []; // not the list cache
    const left = stateDirs.flatMap((dir) => readdirSync(join(pods, dir.name))).length;
    report.push(
      gc1.ok && gc2.ok && left === 0
        ? ratioLine(`rkt gc --grace-period=0s (mark + sweep) per exited pod, over ${exitedPods}`, { median: gcMs / exitedPods }, "rkt run", ours)
        : `rkt gc: not measured (gc ok=${gc1.ok && gc2.ok}, ${left} pods left)`,
    );
  }

  // Start-up of the binary, against Bun's floor: a program compiled with dist/rkt's flags
  // that loads bun:sqlite and bun:ffi and prints one line.
  const floorSource = join(work.path, "bun-floor.ts");
  writeFileSync(floorSource, 'import { Database } from "bun:sqlite";\nimport { dlopen } from "bun:ffi";\nconsole.log(typeof Database, typeof dlopen);\n');
  const floor = join(work.path, "bun-floor");
  const floorBuilt = sh([process.execPath, "build", "--compile", "--minify", "--bytecode", "--format=esm", floorSource, "--outfile", floor]).ok;
  const startUp = [
    { label: "minimal compiled Bun program", argv: () => [floor], unavailable: floorBuilt ? undefined : "bun build --compile failed" },
    { label: "rkt version", argv: () => [rktBinary, "version"] },
  ];

  // list: 1000 exited pods, copies of a real one's small files (not its rootfs), each with
  // the list cache record its prepare would have appended.
  const one = sh(rkt("run", "--mds-register=false", "--no-overlay", imageId));
  const runDir = join(data.path, "pods", "run");
  const [template] = one.ok ? readdirSync(runDir) : [];
  const copies: string[] = [];
  if (template) {
    const src = join(runDir, template);
    for (let i = 0; i < listPods - 1; i++) {
      const dest = join(runDir, crypto.randomUUID());
      copies.push(dest);
      mkdirSync(dest, { mode: 0o700 });
      for (const f of ["pod", "list-summary", "stage1ID"]) cpSync(join(src, f), join(dest, f));
      cpSync(join(src, "stage1", "rootfs", "rkt", "status"), join(dest, "stage1", "rootfs", "rkt", "status"), { recursive: true });
      await listLibrary.appendListCache(join(data.path, "pods"), dest, readFileSync(join(dest, "list-summary")));
    }
  }
  const [bunFloor, version, list] = timeInterleaved([
    ...startUp,
    { label: "rkt list", argv: () => [rktBinary, `--dir=${data.path}`, "list", "--no-legend"], unavailable: template ? undefined : "no pod to copy" },
  ]) as [Timing, Timing, Timing];
  for (const copy of copies) rmSync(copy, { recursive: true });
  report.push(`start-up (${runs} runs of each, interleaved):`);
  report.push(`  ${ratioLine("rkt version", version, "minimal compiled Bun program (imports bun:sqlite, bun:ffi)", bunFloor)}`);
  report.push(`  ${ratioLine(`rkt list with ${listPods} pods`, list, "rkt version", version)}`);
  // The real pods' cgroups go with stage1's gc.
  for (let pass = 0; pass < 2; pass++) sh([rktBinary, `--dir=${data.path}`, "gc", "--grace-period=0s"]);
} finally {
  unmountUnder(resolve(data.path));
  data.cleanup();
  work.cleanup();
}
report.push(`load average ${loadavg()[0]!.toFixed(1)} at the end`);
process.stdout.write(report.join("\n") + "\n");
