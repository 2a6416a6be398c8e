// Pods assembled by hand for the stage1 tests: a pod directory laid out exactly as
// stage1/README.md says stage0 prepares it (copy mode, no overlay), apps made of busybox,
// and init started the way stage0 starts it (cwd = pod dir, RKT_LOCK_FD = a locked fd).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeList, encodeRecords, FieldLimit } from "../../src/pod/contract-records";
import { busybox, unmountUnder } from "../support/harness";

export const busyboxCommands = ["sh", "cat", "echo", "sleep", "ls", "id", "env", "pwd", "hostname", "ps", "stat", "touch",
  "mount", "grep", "tail", "head", "test", "true", "false", "kill", "wc", "mkdir", "readlink", "cut", "tty"];

export interface HandAppSpec {
  name: string;
  exec: string[];
  /** Variables beyond PATH, AC_APP_NAME and container, which every app gets. */
  env?: Record<string, string>;
  /** `UID GID [SUPPLEMENTARY...]`; default `0 0`. */
  ids?: number[];
  workdir?: string;
  /** Records of the mounts file, e.g. `["host", "/src", "/data", "rw"]`. */
  mounts?: string[][];
  /** Capabilities kept; default: every capability the kernel has. */
  caps?: number[];
  /** Records of the limits file, e.g. `["memory", "33554432"]`. */
  limits?: string[][];
  /** Records of the sockets file, e.g. `["tcp", "8080"]`. */
  sockets?: string[][];
  preStart?: string[];
  postStop?: string[];
  /** Extra files in the app root: path -> content. */
  files?: Record<string, string>;
  /** Host files copied into the app root (mode 0755): path -> host path. */
  copies?: Record<string, string>;
}

export const lastCapability = Number(readFileSync("/proc/sys/kernel/cap_last_cap", "utf8"));
const allCapabilities = Array.from({ length: lastCapability + 1 }, (_, i) => i);

function argvFile(argv: string[]): Buffer {
  return encodeList(argv, FieldLimit.string, "argv");
}

function pairsFile(records: string[][]): Buffer {
  return encodeRecords(records, FieldLimit.name, "pairs");
}

function makeBusyboxRoot(root: string, files: Record<string, string>, copies: Record<string, string>): void {
  mkdirSync(join(root, "bin"), { recursive: true });
  mkdirSync(join(root, "tmp"), { recursive: true, mode: 0o1777 });
  copyFileSync(busybox, join(root, "bin/busybox"));
  chmodSync(join(root, "bin/busybox"), 0o755);
  for (const command of busyboxCommands) symlinkSync("busybox", join(root, "bin", command));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  for (const [path, source] of Object.entries(copies)) {
    copyFileSync(source, join(root, path));
    chmodSync(join(root, path), 0o755);
  }
}

export class HandPod {
  readonly dir: string;
  readonly stage1Root: string;
  readonly uuid = crypto.randomUUID();

  constructor(parent: string, stage1Tree: string, apps: HandAppSpec[], podLimits?: string[][]) {
    this.dir = join(parent, this.uuid);
    this.stage1Root = join(this.dir, "stage1/rootfs");
    mkdirSync(join(this.dir, "stage1"), { recursive: true, mode: 0o700 });
    const copy = Bun.spawnSync(["cp", "-a", stage1Tree, this.stage1Root]);
    if (copy.exitCode !== 0) throw new Error(`cp stage1: ${copy.stderr}`);
    const rkt = join(this.stage1Root, "rkt");
    for (const dir of ["env", "app", "status"]) mkdirSync(join(rkt, dir), { recursive: true });
    writeFileSync(join(rkt, "apps"), encodeList(apps.map((a) => a.name), FieldLimit.name, "apps"));
    if (podLimits) writeFileSync(join(rkt, "pod-limits"), pairsFile(podLimits));
    for (const app of apps) this.addApp(rkt, app);
  }

  private addApp(rkt: string, app: HandAppSpec): void {
    makeBusyboxRoot(this.appRoot(app.name), app.files ?? {}, app.copies ?? {});
    const env = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", AC_APP_NAME: app.name, container: "rkt", ...app.env };
    writeFileSync(join(rkt, "env", app.name), argvFile(Object.entries(env).map(([k, v]) => `${k}=${v}`)), { mode: 0o600 });
    const dir = join(rkt, "app", app.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "exec"), argvFile(app.exec));
    if (app.preStart) writeFileSync(join(dir, "pre-start"), argvFile(app.preStart));
    if (app.postStop) writeFileSync(join(dir, "post-stop"), argvFile(app.postStop));
    writeFileSync(join(dir, "ids"), encodeList(app.ids ?? [0, 0], FieldLimit.name, "ids"));
    writeFileSync(join(dir, "workdir"), encodeList([app.workdir ?? "/"], FieldLimit.path, "workdir"));
    writeFileSync(join(dir, "mounts"), encodeRecords(app.mounts ?? [], FieldLimit.path, "mounts"));
    writeFileSync(join(dir, "caps"), encodeList(app.caps ?? allCapabilities, FieldLimit.name, "caps"));
    if (app.limits) writeFileSync(join(dir, "limits"), pairsFile(app.limits));
    if (app.sockets) writeFileSync(join(dir, "sockets"), pairsFile(app.sockets));
  }

  appRoot(app: string): string {
    return join(this.stage1Root, "opt/stage2", app, "rootfs");
  }

  /** The shell command that starts init as stage0 would (exclusive flock on the pod dir, its fd in RKT_LOCK_FD). */
  initCommand(args: string[] = []): string {
    const init = ["./stage1/rootfs/init", ...args, this.uuid].map((a) => `'${a}'`).join(" ");
    return `exec 9<. && flock -x 9 && RKT_LOCK_FD=9 exec ${init}`;
  }

  /** Starts init; `launcher` (an argv that ends by running its arguments) wraps it, e.g. in other namespaces. */
  start(args: string[] = [], launcher: string[] = []): Bun.Subprocess<"ignore", "pipe", "pipe"> {
    return Bun.spawn([...launcher, "sh", "-c", this.initCommand(args)], {
      cwd: this.dir,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
  }

  /** Runs the pod to its end. */
  async run(args: string[] = [], launcher: string[] = []): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const proc = this.start(args, launcher);
    const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { exitCode, stdout, stderr };
  }

  status(app: string): string | undefined {
    const path = join(this.stage1Root, "rkt/status", app);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  }

  log(app: string): string {
    return readFileSync(join(this.dir, "logs", app), "utf8");
  }

  cgroups(): string[] {
    const path = join(this.dir, "cgroup");
    return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];
  }

  /** Runs the stage1 gc entrypoint the way stage0 does (wrapped by `launcher`, as in start). */
  gc(launcher: string[] = []): { exitCode: number; stderr: string } {
    const result = Bun.spawnSync([...launcher, "./stage1/rootfs/gc", this.uuid], { cwd: this.dir });
    return { exitCode: result.exitCode ?? -1, stderr: result.stderr.toString() };
  }

  /** Kills whatever is left of the pod, removes its cgroups and mounts. */
  destroy(): void {
    const pidFile = join(this.dir, "pid");
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, "utf8"));
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
      // The cgroups can only go once the pod's processes are gone (PID 1's death kills them all).
      for (let i = 0; i < 500 && existsSync(`/proc/${pid}`); i++) Bun.sleepSync(10);
    }
    for (const cgroup of this.cgroups().reverse()) Bun.spawnSync(["rmdir", cgroup]);
    unmountUnder(this.dir);
  }
}
