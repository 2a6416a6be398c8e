// Hand-made pod directories for the lifecycle tests: a real Pod.create plus the files
// stage0 and stage1 would leave, and locks held by a child process to play a running pod.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Pod, type PodDirState } from "../../../src/pod/pod";

export const STAGE1_KEY = "sha512-" + "5".repeat(64);

export function imageId(hexDigit: string): string {
  return "sha512-" + hexDigit.repeat(128);
}

export interface HandPodSpec {
  apps?: { name: string; imageName?: string; imageId?: string }[];
  /** Where the pod ends up; it is created in `prepare`, locked, then moved. */
  dirState?: PodDirState;
  statuses?: Record<string, string>;
  overlay?: boolean;
  pid?: number;
  netInfo?: { netName: string; ip: string }[];
  manifestText?: string;
}

/** A pod as stage0 would leave it, unlocked, in `spec.dirState` (default `prepared`). */
export function makePod(dataDir: string, spec: HandPodSpec = {}): Pod {
  const pod = Pod.create(dataDir);
  const apps = (spec.apps ?? [{ name: "app", imageName: "example.com/app" }]).map((a, i) => ({
    name: a.name,
    image: { id: a.imageId ?? imageId(String.fromCharCode(97 + (i % 6))), ...(a.imageName ? { name: a.imageName } : {}) },
  }));
  writeFileSync(
    join(pod.path, "pod"),
    spec.manifestText ?? JSON.stringify({ acVersion: "0.6.1", acKind: "PodManifest", apps }),
  );
  writeFileSync(join(pod.path, "stage1ID"), STAGE1_KEY);
  if (spec.overlay) writeFileSync(join(pod.path, "overlay-prepared"), "");
  const statusDir = spec.overlay
    ? join(pod.path, "overlay", STAGE1_KEY, "upper", "rkt", "status")
    : join(pod.path, "stage1", "rootfs", "rkt", "status");
  mkdirSync(statusDir, { recursive: true });
  for (const [app, status] of Object.entries(spec.statuses ?? {})) writeFileSync(join(statusDir, app), status);
  if (spec.pid !== undefined) writeFileSync(join(pod.path, "pid"), `${spec.pid}\n`);
  if (spec.netInfo) writeFileSync(join(pod.path, "net-info.json"), JSON.stringify(spec.netInfo));
  const target = spec.dirState ?? "prepared";
  if (target === "run" || target === "exited-garbage") pod.moveTo("run");
  if (target === "exited-garbage") pod.moveTo("exited-garbage");
  if (target === "prepared" || target === "garbage") pod.moveTo(target);
  pod.releaseLock();
  return pod;
}

/**
 * Holds a lock on `path` from a child process until released: `flock --no-fork` execs
 * the shell, which execs `sleep`, so killing that one process drops the lock.
 */
export async function holdLock(path: string, mode: "exclusive" | "shared" = "exclusive"): Promise<{ pid: number; release: () => Promise<void> }> {
  const proc = Bun.spawn(["flock", "--no-fork", mode === "exclusive" ? "-x" : "-s", path, "sh", "-c", "echo locked; exec sleep 1000"], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.getReader();
  const { value } = await reader.read();
  if (!value || !new TextDecoder().decode(value).includes("locked")) throw new Error(`flock ${path} did not start`);
  reader.releaseLock();
  return {
    pid: proc.pid,
    release: async () => {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** What a test set up and must undo (lock holders, processes, file flags), undone in reverse after it. */
export class TestCleanups {
  private readonly steps: (() => Promise<void> | void)[] = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  /** Locks `path` from a child process (holdLock) until the cleanups run. */
  async lockFromChild(path: string, mode: "exclusive" | "shared" = "exclusive"): Promise<{ pid: number; release: () => Promise<void> }> {
    const holder = await holdLock(path, mode);
    this.add(holder.release);
    return holder;
  }

  /** For afterEach: runs every step, last added first. */
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}
