// A Debian 12 system with systemd as PID 1, journald, D-Bus and machined, booted with
// systemd-nspawn on this machine (whose own PID 1 is not systemd), for the tests of rkt's
// journal and machined integration and of pods under units. The tree is made once with
// debootstrap from the machine's Debian mirror into .cache/systemd-machine (test-assets.ts
// does it before the tests, which have no network); each boot runs on a throw-away overlay
// (`--volatile=overlay`) in a mount namespace of its own and, on a host with cgroup v1
// controllers (this one), in memory and cpu cgroups of its own, so that the cgroups of the
// pods inside are removed with it. On a cgroup v2-only host nspawn gives the machine a
// delegated subtree of its own instead (not tried: this host is hybrid).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, rmdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { machineDebianSources } from "../../native/private-apt";
import { repoRoot, tempDir, type RunResult } from "./harness";

const cacheDir = join(repoRoot, ".cache/systemd-machine");
const treeDir = join(cacheDir, "tree");
const packages = ["systemd", "systemd-sysv", "dbus", "systemd-container"];
/** The cgroup v1 hierarchies of the host that stage1 makes pod cgroups in (nspawn mounts them read-only): limits and the device policy. */
const podControllers = ["memory", "cpu", "devices"].filter((controller) => existsSync(`/sys/fs/cgroup/${controller}/cgroup.procs`));

/** The cached tree, or undefined before fetchSystemdTree ran. */
export function systemdTree(): string | undefined {
  return existsSync(join(treeDir, "usr/lib/systemd/systemd")) ? treeDir : undefined;
}

export function canBootSystemdMachine(): boolean {
  return systemdTree() !== undefined && existsSync("/usr/bin/systemd-nspawn") && existsSync("/usr/bin/unshare");
}

/** The first Debian archive of the machine's apt sources: its URL and suite. */
function machineDebianMirror(): { url: string; suite: string } {
  const sources = machineDebianSources("deb", { withSecurity: false });
  for (const stanza of sources.stanzas) {
    const url = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
    const suite = /^Suites:\s*(\S+)/m.exec(stanza)?.[1];
    if (url && suite) return { url, suite };
  }
  for (const line of sources.lines) {
    const [, url, suite] = line.replace(/\[[^\]]*\]\s*/, "").split(/\s+/);
    if (url && suite) return { url, suite };
  }
  throw new Error("no Debian archive in the machine's apt sources");
}

/** Makes the tree with debootstrap (minbase plus systemd, dbus and machined). */
export function fetchSystemdTree(): string {
  const cached = systemdTree();
  if (cached) return cached;
  const { url, suite } = machineDebianMirror();
  const partial = `${treeDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  const debootstrap = Bun.spawnSync(["debootstrap", "--variant=minbase", `--include=${packages.join(",")}`, suite, partial, url], { stdout: "pipe", stderr: "pipe" });
  if (debootstrap.exitCode !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`debootstrap ${suite} ${url} failed: ${debootstrap.stderr.toString().trim().split("\n").pop()}`);
  }
  renameSync(partial, treeDir);
  return treeDir;
}

export interface SystemdMachine {
  /** Runs a command in the machine (all its namespaces), as a root shell in it would. */
  run(argv: string[], stdin?: Uint8Array): RunResult;
  /** Starts a command in the machine in the background. */
  spawn(argv: string[]): Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** Writes a host file into the machine. */
  copyIn(hostPath: string, path: string, mode?: number): void;
  /** Shuts the machine down and removes what it left on the host. */
  shutdown(): Promise<void>;
}

function podCgroupsOf(name: string): string[] {
  return podControllers.map((controller) => `/sys/fs/cgroup/${controller}/${name}`);
}

/** Removes a cgroup and the ones below it, deepest first. */
function removeCgroupTree(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) removeCgroupTree(join(path, entry.name));
  rmdirSync(path);
}

async function containerInit(nspawnPid: number): Promise<number> {
  for (;;) {
    const children = existsSync(`/proc/${nspawnPid}`) ? readFileSync(`/proc/${nspawnPid}/task/${nspawnPid}/children`, "utf8").trim().split(" ").filter(Boolean).map(Number) : [];
    const init = children.find((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "systemd");
    if (init !== undefined) return init;
    if (!existsSync(`/proc/${nspawnPid}`)) throw new Error("systemd-nspawn exited before the machine's systemd started");
    await Bun.sleep(50);
  }
}

/** Boots the tree with systemd-nspawn and waits until its systemd reports the boot done. */
export async function bootSystemdMachine(): Promise<SystemdMachine> {
  const tree = systemdTree();
  if (!tree) throw new Error("no systemd tree: run test/support/test-assets.ts first");
  const work = tempDir("rkt-systemd-machine-");
  const name = `rkt-test-${work.path.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, "x")}`;
  const cgroups = podCgroupsOf(name);
  for (const cgroup of cgroups) mkdirSync(cgroup);
  const joinCgroups = cgroups.map((cgroup) => `echo $$ > ${cgroup}/cgroup.procs`);
  // nspawn refuses to clean its propagation directory without a tmpfs of its own there.
  const script = [
    ...joinCgroups,
    "mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn",
    `exec systemd-nspawn --boot --keep-unit --register=no --console=pipe --capability=all --volatile=overlay --tmpfs=/var/lib/rkt:mode=0700 -M ${name} -D ${tree}`,
  ].join(" && ");
  // The machine's console (its boot messages) is nspawn's stdout: not read, so not a pipe that could fill.
  const nspawn = Bun.spawn(["unshare", "--mount", "--propagation=private", "sh", "-c", script], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const stopped = async () => {
    nspawn.kill("SIGTERM");
    await nspawn.exited;
    for (const cgroup of cgroups) removeCgroupTree(cgroup);
    work.cleanup();
  };
  try {
    const init = await containerInit(nspawn.pid);
    // nsenter joins the machine's namespaces but not its cgroups: the command joins them first.
    const enter = ["sh", "-c", [...joinCgroups, 'exec "$@"'].join(" && "), "sh", "nsenter", `--target=${init}`, "--all"];
    const run = (argv: string[], stdin?: Uint8Array): RunResult => {
      const proc = Bun.spawnSync([...enter, ...argv], { stdin: stdin ?? "ignore", stdout: "pipe", stderr: "pipe" });
      return { exitCode: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
    };
    // systemctl answers nothing, or "offline" (no /run/systemd/system yet), until the
    // machine's systemd is up; then --wait waits for the boot.
    let booted = run(["systemctl", "is-system-running", "--wait"]);
    while (booted.stdout.trim() === "" || booted.stdout.trim() === "offline") {
      if (nspawn.exitCode !== null) throw new Error(`systemd-nspawn exited: ${(await new Response(nspawn.stderr).text()).trim()}`);
      await Bun.sleep(50);
      booted = run(["systemctl", "is-system-running", "--wait"]);
    }
    if (booted.stdout.trim() !== "running") {
      throw new Error(`the machine booted ${booted.stdout.trim()}: ${run(["systemctl", "--failed", "--no-legend"]).stdout}`);
    }
    // The machine's view of the host's memory, cpu and devices hierarchies: nspawn mounts them
    // read-only; the pods' cgroups go below the machine's own ones made above.
    for (const controller of podControllers) {
      const remount = run(["mount", "-o", "remount,bind,rw", `/sys/fs/cgroup/${controller}`]);
      if (remount.exitCode !== 0) throw new Error(`remount /sys/fs/cgroup/${controller}: ${remount.stderr}`);
    }
    return {
      run,
      spawn: (argv) => Bun.spawn([...enter, ...argv], { stdin: "ignore", stdout: "pipe", stderr: "pipe" }),
      copyIn(hostPath, path, mode = 0o644) {
        const copy = run(["sh", "-c", `cat > '${path}' && chmod ${mode.toString(8)} '${path}'`], readFileSync(hostPath));
        if (copy.exitCode !== 0) throw new Error(`copy ${hostPath} into the machine: ${copy.stderr}`);
      },
      async shutdown() {
        run(["rkt", "gc", "--grace-period=0s"]);
        run(["rkt", "gc", "--grace-period=0s"]);
        await stopped();
      },
    };
  } catch (err) {
    await stopped();
    throw err;
  }
}
