// Start benchmark (`bun bench/start.ts [RUNS]`, as root, after `bun build.ts`):
// start-to-exit of busybox's /bin/true from a cached image with `rkt run`, against
// crun, systemd-nspawn and the `unshare + chroot` floor on the same rootfs; then gc time
// per exited pod and `rkt list` with 1000 pods. Prints medians and ratios (ours/theirs).
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { busybox, imageManifest, makeTestAci, rktBinary, tempDataDir, tempDir, unmountUnder } from "../test/support/harness";

const runs = Number(process.argv[2] ?? 20);
const gcPods = Number(process.env.GC_PODS ?? 20);
const listPods = 1000;

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

/**
 * Median wall time in ms of `runs` executions, each after `prepare` (untimed); undefined
 * (with the reason) if one fails.
 */
function timeCommand(label: string, argv: () => string[], n = runs, prepare = () => {}): { median?: number; reason?: string } {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    prepare();
    Bun.sleepSync(PAUSE_BETWEEN_RUNS_MS);
    const args = argv();
    const start = performance.now();
    const p = Bun.spawnSync(args, { stdout: "ignore", stderr: "pipe", stdin: "ignore" });
    const elapsed = performance.now() - start;
    if (p.exitCode !== 0) return { reason: `${label} exited ${p.exitCode}: ${p.stderr.toString().trim().split("\n").pop()}` };
    times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] };
}

function ensureTool(binary: string, aptPackage: string): boolean {
  if (sh(["sh", "-c", `command -v ${binary}`], { quiet: true }).ok) return true;
  process.stderr.write(`bench: installing ${aptPackage}\n`);
  sh(["apt-get", "install", "-y", "-q", aptPackage], { quiet: true });
  return sh(["sh", "-c", `command -v ${binary}`], { quiet: true }).ok;
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

const work = tempDir("rkt-bench-");
const data = tempDataDir("rkt-bench-data-");
const report: string[] = [];
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

  // Each timed start finds the host as crun leaves it (crun removes its container at exit):
  // the exited pods are collected first, untimed. An exited pod keeps its overlay mounts
  // in the host namespace until gc (as in rkt); a series that leaves them is measured
  // separately below.
  const collect = () => {
    for (let pass = 0; pass < 2; pass++) sh(rkt("gc", "--grace-period=0s"));
  };
  const ours = timeCommand("rkt run", () => rkt("run", "--mds-register=false", imageId), runs, collect);
  if (ours.median === undefined) throw new Error(ours.reason);
  report.push(`rkt run /bin/true (cached image, overlay; exited pods collected between runs): median ${ours.median.toFixed(1)} ms over ${runs} runs`);

  // stage0 alone: a stage1 whose run entrypoint is busybox's `true` exits as soon as rkt hands over.
  const noopStage1 = makeTestAci(work.path, "noop-stage1.aci", {
    manifest: imageManifest("example.com/noop-stage1", { annotations: [{ name: "coreos.com/rkt/stage1/run", value: "/bin/true" }] }),
    copies: { "bin/busybox": busybox },
    symlinks: { "bin/true": "busybox" },
  });
  const noopKey = sh(rkt("fetch", noopStage1)).out.trim();
  const stage0 = timeCommand("rkt run (no-op stage1)", () => rkt("run", "--mds-register=false", `--stage1-image=${noopKey}`, imageId), runs, collect);
  report.push(
    stage0.median === undefined
      ? `stage0 alone: not measured (${stage0.reason})`
      : `stage0 alone (rkt run up to exec of a no-op stage1): median ${stage0.median.toFixed(1)} ms; stage1 + app: ${(ours.median - stage0.median).toFixed(1)} ms`,
  );

  const peers: [string, () => { median?: number; reason?: string }][] = [
    [
      "unshare -fpmiu chroot (floor)",
      () => timeCommand("unshare", () => ["unshare", "-fpmiu", "chroot", rootfs, "/bin/true"]),
    ],
    [
      "crun run",
      () => {
        if (!ensureTool("crun", "crun")) return { reason: "not installable" };
        const bundle = join(work.path, "bundle");
        if (!existsSync(join(bundle, "config.json"))) {
          const spec = sh(["sh", "-c", `cd ${bundle} && crun spec`]);
          if (!spec.ok) return { reason: `crun spec: ${spec.err.trim()}` };
          const config = JSON.parse(readFileSync(join(bundle, "config.json"), "utf8"));
          config.process.terminal = false;
          config.process.args = ["/bin/true"];
          config.root = { path: "rootfs", readonly: true };
          writeFileSync(join(bundle, "config.json"), JSON.stringify(config));
        }
        let n = 0;
        return timeCommand("crun", () => ["crun", "run", "--bundle", bundle, `rkt-bench-${process.pid}-${n++}`]);
      },
    ],
    [
      "systemd-nspawn",
      () => {
        if (!ensureTool("systemd-nspawn", "systemd-container")) return { reason: "not installable" };
        return timeCommand("systemd-nspawn", () => ["systemd-nspawn", "--keep-unit", "-q", "--register=no", "-D", rootfs, "/bin/true"]);
      },
    ],
  ];
  for (const [name, measure] of peers) {
    const r = measure();
    if (r.median === undefined) report.push(`${name}: cannot run here (${r.reason})`);
    else report.push(`${name}: median ${r.median.toFixed(1)} ms; ours/theirs = ${(ours.median / r.median).toFixed(2)}`);
  }

  collect();
  const uncollected = timeCommand("rkt run (uncollected pods)", () => rkt("run", "--mds-register=false", imageId));
  report.push(
    uncollected.median === undefined
      ? `rkt run with exited pods left uncollected: failed (${uncollected.reason})`
      : `rkt run with the exited pods left uncollected (0 to ${runs - 1} of them): median ${uncollected.median.toFixed(1)} ms`,
  );

  // gc: the exited pods so far and N more, then one gc that marks and one that sweeps.
  for (let i = 0; i < gcPods; i++) sh(rkt("run", "--mds-register=false", imageId));
  const exitedPods = readdirSync(join(data.path, "pods", "run")).length;
  const gcStart = performance.now();
  const gc1 = sh([rktBinary, `--dir=${data.path}`, "gc", "--grace-period=0s"]);
  const gc2 = sh([rktBinary, `--dir=${data.path}`, "gc", "--grace-period=0s"]);
  const gcMs = performance.now() - gcStart;
  const left = existsSync(join(data.path, "pods")) ? readdirSync(join(data.path, "pods")).flatMap((s) => readdirSync(join(data.path, "pods", s))).length : 0;
  report.push(
    gc1.ok && gc2.ok && left === 0
      ? `rkt gc --grace-period=0s (mark + sweep) over ${exitedPods} exited pods: ${(gcMs / exitedPods).toFixed(1)} ms per pod`
      : `rkt gc: not measured (gc ok=${gc1.ok && gc2.ok}, ${left} pods left)`,
  );

  // list: 1000 exited pods, copies of a real one's small files (not its rootfs).
  const one = sh(rkt("run", "--mds-register=false", "--no-overlay", imageId));
  const runDir = join(data.path, "pods", "run");
  const [template] = one.ok ? readdirSync(runDir) : [];
  if (template) {
    const src = join(runDir, template);
    const copies: string[] = [];
    for (let i = 0; i < listPods - 1; i++) {
      const dest = join(runDir, crypto.randomUUID());
      copies.push(dest);
      mkdirSync(dest, { mode: 0o700 });
      for (const f of ["pod", "stage1ID"]) cpSync(join(src, f), join(dest, f));
      cpSync(join(src, "stage1", "rootfs", "rkt", "status"), join(dest, "stage1", "rootfs", "rkt", "status"), { recursive: true });
    }
    const list = timeCommand("rkt list", () => [rktBinary, `--dir=${data.path}`, "list", "--no-legend"], 5);
    report.push(list.median === undefined ? `rkt list: failed (${list.reason})` : `rkt list with ${listPods} pods: median ${list.median.toFixed(1)} ms`);
    for (const copy of copies) rmSync(copy, { recursive: true });
  }
  // The real pods' cgroups go with stage1's gc.
  for (let pass = 0; pass < 2; pass++) sh([rktBinary, `--dir=${data.path}`, "gc", "--grace-period=0s"]);
} finally {
  unmountUnder(resolve(data.path));
  data.cleanup();
  work.cleanup();
}
process.stdout.write(report.join("\n") + "\n");
