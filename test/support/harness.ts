// Shared helpers for tests: run the built binary against a private data directory, and
// make small ACIs from a manifest plus files with the system tar (independent of our own
// writer, so tests of our reader do not depend on it), and look at processes in /proc.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, chmodSync, copyFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dir, "../..");
export const rktBinary = join(repoRoot, "dist/rkt");

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "rkt-test-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs dist/rkt with `--dir=<dataDir>` first; stdin is closed unless given. */
export function rkt(dataDir: string, args: string[], opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): RunResult {
  const proc = Bun.spawnSync([rktBinary, `--dir=${dataDir}`, ...args], {
    stdin: opts.stdin !== undefined ? Buffer.from(opts.stdin) : "ignore",
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
  });
  return { exitCode: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

export interface TestImageSpec {
  manifest: Record<string, unknown>;
  /** Files under rootfs/: path (relative) -> content, or {content, mode}. */
  files?: Record<string, string | { content: string; mode: number }>;
  /** Host files copied into rootfs/: path in rootfs -> host path (e.g. busybox). */
  copies?: Record<string, string>;
  /** Symlinks under rootfs/: path -> target. */
  symlinks?: Record<string, string>;
  /** Device nodes under rootfs/ (made with mknod: tests run as root). */
  deviceNodes?: Record<string, DeviceNode>;
  compression?: "gzip" | "bzip2" | "xz" | "none";
}

export interface DeviceNode {
  type: "c" | "b";
  major: number;
  minor: number;
}

/** Writes an ACI with the system tar; returns its path. */
export function makeTestAci(dir: string, fileName: string, spec: TestImageSpec): string {
  const layout = mkdtempSync(join(dir, "layout-"));
  const rootfs = join(layout, "rootfs");
  mkdirSync(rootfs, { recursive: true });
  writeFileSync(join(layout, "manifest"), JSON.stringify(spec.manifest));
  for (const [path, file] of Object.entries(spec.files ?? {})) {
    const target = join(rootfs, path);
    mkdirSync(dirname(target), { recursive: true });
    const { content, mode } = typeof file === "string" ? { content: file, mode: 0o644 } : file;
    writeFileSync(target, content);
    chmodSync(target, mode);
  }
  for (const [path, source] of Object.entries(spec.copies ?? {})) {
    const target = join(rootfs, path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, target);
    chmodSync(target, 0o755);
  }
  for (const [path, target] of Object.entries(spec.symlinks ?? {})) {
    const link = join(rootfs, path);
    mkdirSync(dirname(link), { recursive: true });
    Bun.spawnSync(["ln", "-s", target, link]);
  }
  for (const [path, node] of Object.entries(spec.deviceNodes ?? {})) {
    const target = join(rootfs, path);
    mkdirSync(dirname(target), { recursive: true });
    const made = Bun.spawnSync(["mknod", target, node.type, String(node.major), String(node.minor)]);
    if (made.exitCode !== 0) throw new Error(`mknod ${target}: ${made.stderr.toString().trim()}`);
  }
  const out = join(dir, fileName);
  const flag = { gzip: "-z", bzip2: "-j", xz: "-J", none: "" }[spec.compression ?? "gzip"];
  const args = ["tar", "--numeric-owner", "--owner=0", "--group=0", "-c", ...(flag ? [flag] : []), "-f", out, "-C", layout, "manifest", "rootfs"];
  const tar = Bun.spawnSync(args);
  if (tar.exitCode !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
  rmSync(layout, { recursive: true, force: true });
  return out;
}

/** A minimal valid image manifest; `extra` overrides or adds fields. */
export function imageManifest(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    acKind: "ImageManifest",
    acVersion: "0.6.1",
    name,
    labels: [
      { name: "os", value: "linux" },
      { name: "arch", value: "amd64" },
    ],
    ...extra,
  };
}

/** Debian's busybox-static, used as the userland of test images. */
export const busybox = "/bin/busybox";
export const haveBusybox = existsSync(busybox);

/**
 * Unmounts everything mounted at or below `path`, deepest first: pods run with overlay
 * leave their mounts in the host namespace until gc.
 */
export function unmountUnder(path: string): void {
  const root = resolve(path);
  const targets = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4]?.replace(/\\040/g, " "))
    .filter((t): t is string => t !== undefined && (t === root || t.startsWith(`${root}/`)))
    .sort((a, b) => b.length - a.length);
  for (const target of targets) Bun.spawnSync(["umount", "-l", target]);
}

/** A temporary data directory whose cleanup also unmounts what pods left mounted in it. */
export function tempDataDir(prefix = "rkt-data-"): { path: string; cleanup: () => void } {
  const dir = tempDir(prefix);
  return {
    path: dir.path,
    cleanup: () => {
      unmountUnder(dir.path);
      dir.cleanup();
    },
  };
}

/** The command names of a process's children, from /proc. */
export function childCommands(parent: number): string[] {
  return readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      // "pid (comm) state ppid ...": comm may contain spaces or parentheses, so split at the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      return ppid === parent ? [stat.slice(stat.indexOf("(") + 1, close)] : [];
    } catch {
      return []; // exited meanwhile
    }
  });
}
