// The files stage0 hands to stage1 under `stage1/rootfs/rkt/` (stage1/README.md, the
// contract): app list, environments, argv, ids, working directories, mounts, capability
// bounding sets, resource limits and socket-activated ports.
import { chownSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CPU,
  MEMORY,
  REMOVE_SET,
  RETAIN_SET,
  capabilityBoundingSet,
  capabilityNumber,
  cpuLimitMillicores,
  memoryLimitBytes,
  portCount,
  serializeImageManifest,
  type App,
  type ImageManifest,
  type Isolator,
} from "../appc";
import { finalAppEnvironment, serializeEnvFile } from "./environment";
import { stage1WrittenRoot } from "./pod-files";
import type { AppIds } from "./user-group";
import type { ResolvedMount } from "./volumes";

/**
 * The bounding set an app keeps without capability isolators: podman's default
 * (`default_capabilities` of containers.conf). Unlike rkt v0.8.0's systemd-nspawn list it
 * leaves out CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_NET_RAW, CAP_MKNOD, CAP_DAC_READ_SEARCH,
 * CAP_AUDIT_WRITE and the others; a retain-set grants them, a remove-set removes from this.
 */
export const DEFAULT_CAPABILITIES: readonly number[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_NET_BIND_SERVICE",
  "CAP_SETFCAP",
  "CAP_SETGID",
  "CAP_SETPCAP",
  "CAP_SETUID",
  "CAP_SYS_CHROOT",
].map(capabilityNumber);

/** Everything stage1 needs to start one app. */
export interface AppPlan {
  name: string;
  /** The app as the pod runs it (pod manifest's `app`, else the image's). */
  app: App;
  image: ImageManifest;
  ids: AppIds;
  mounts: ResolvedMount[];
}

export interface RuntimePlan {
  apps: AppPlan[];
  podIsolators: readonly Isolator[] | null | undefined;
  /** Empty when the pod is not registered with a metadata service. */
  metadataUrl: string;
}

/** Isolators stage1 applies; others are reported as ignored. */
const ENFORCED_ISOLATORS = new Set([CPU, MEMORY, RETAIN_SET, REMOVE_SET]);

function argvFile(argv: readonly string[]): string {
  return argv.map((a) => `${a}\0`).join("");
}

function limitsFile(isolators: readonly Isolator[] | null | undefined): string | undefined {
  const lines: string[] = [];
  const memory = memoryLimitBytes(isolators);
  if (memory !== undefined) lines.push(`memory ${memory}`);
  const cpu = cpuLimitMillicores(isolators);
  if (cpu !== undefined) lines.push(`cpu ${cpu}`);
  return lines.length ? lines.join("\n") + "\n" : undefined;
}

function mountsFile(mounts: readonly ResolvedMount[]): string {
  return mounts
    .map((m) => {
      const mode = m.readOnly ? "ro" : "rw";
      return m.volume.kind === "host"
        ? `host\t${m.volume.source}\t${m.path}\t${mode}\n`
        : `empty\t${m.volume.name}\t${m.path}\t${mode}\n`;
    })
    .join("");
}

function socketsFile(app: App): string | undefined {
  const lines: string[] = [];
  for (const port of app.ports ?? []) {
    if (!port.socketActivated) continue;
    if (port.protocol !== "tcp" && port.protocol !== "udp") throw new Error(`unrecognized protocol: ${port.protocol}`);
    for (let n = 0; n < portCount(port); n++) lines.push(`${port.protocol} ${port.port + n}`);
  }
  return lines.length ? lines.join("\n") + "\n" : undefined;
}

/** Notes for the isolators stage1 will not enforce (appc: the executor must say so). */
export function ignoredIsolatorWarnings(plan: RuntimePlan): string[] {
  const notes: string[] = [];
  for (const a of plan.apps) {
    for (const i of a.app.isolators ?? []) {
      if (!ENFORCED_ISOLATORS.has(i.name)) notes.push(`warning: isolator "${i.name}" of app "${a.name}" is not supported, ignoring it`);
    }
  }
  for (const i of plan.podIsolators ?? []) {
    if (i.name !== CPU && i.name !== MEMORY) notes.push(`warning: pod isolator "${i.name}" is not supported, ignoring it`);
  }
  return notes;
}

/**
 * Writes the plan under `stage1Root` (the stage1 rootfs, or the upper directory of its
 * overlay at prepare time). With `ownerShift` (private users) the files are chowned so
 * that stage1 reads them as root of its user namespace.
 */
export function writeRuntimePlan(stage1Root: string, plan: RuntimePlan, ownerShift?: number): void {
  const rkt = join(stage1Root, "rkt");
  for (const dir of ["env", "app", "status"]) mkdirSync(join(rkt, dir), { recursive: true, mode: 0o755 });
  writeFileSync(join(rkt, "apps"), plan.apps.map((a) => `${a.name}\n`).join(""));
  const podLimits = limitsFile(plan.podIsolators);
  if (podLimits) writeFileSync(join(rkt, "pod-limits"), podLimits);

  for (const a of plan.apps) {
    const env = finalAppEnvironment(a.name, a.app.environment, plan.metadataUrl);
    writeFileSync(join(rkt, "env", a.name), serializeEnvFile(env), { mode: 0o600 });
    const dir = join(rkt, "app", a.name);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, "exec"), argvFile(a.app.exec));
    for (const handler of a.app.eventHandlers ?? []) writeFileSync(join(dir, handler.name), argvFile(handler.exec));
    // The supplementary list repeats the primary group, as initgroups(3) does.
    writeFileSync(join(dir, "ids"), `${a.ids.uid} ${a.ids.gid} ${a.ids.groups.join(" ")}\n`);
    writeFileSync(join(dir, "workdir"), `${a.app.workingDirectory || "/"}\n`);
    writeFileSync(join(dir, "mounts"), mountsFile(a.mounts));
    writeFileSync(join(dir, "caps"), capabilityBoundingSet(a.app.isolators, DEFAULT_CAPABILITIES).join(" ") + "\n");
    const limits = limitsFile(a.app.isolators);
    if (limits) writeFileSync(join(dir, "limits"), limits);
    const sockets = socketsFile(a.app);
    if (sockets) writeFileSync(join(dir, "sockets"), sockets);

    const stage2 = join(stage1Root, "opt", "stage2", a.name);
    mkdirSync(join(stage2, "rootfs"), { recursive: true, mode: 0o755 });
    writeFileSync(join(stage2, "manifest"), serializeImageManifest(a.image));
  }
  if (ownerShift !== undefined) {
    chownTree(rkt, ownerShift);
    // The app roots are shifted copies already; only the directories above them and the manifests.
    const stage2 = join(stage1Root, "opt", "stage2");
    for (const path of [join(stage1Root, "opt"), stage2]) chownSync(path, ownerShift, ownerShift);
    for (const a of plan.apps) {
      chownSync(join(stage2, a.name), ownerShift, ownerShift);
      chownSync(join(stage2, a.name, "manifest"), ownerShift, ownerShift);
    }
  }
}

function chownTree(path: string, id: number): void {
  chownSync(path, id, id);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, id);
    else chownSync(child, id, id);
  }
}

/** The image manifest prepare wrote for an app (`opt/stage2/<app>/manifest`), as text. */
export function readPlannedImageManifest(podPath: string, appName: string): string {
  return readFileSync(join(stage1WrittenRoot(podPath), "opt", "stage2", appName, "manifest"), "utf8");
}

/**
 * Sets AC_METADATA_URL in the planned environment of each app, once the pod is
 * registered; the files keep their owner and mode.
 */
export function setPlannedMetadataUrl(podPath: string, appNames: readonly string[], url: string): void {
  for (const name of appNames) {
    const file = join(stage1WrittenRoot(podPath), "rkt", "env", name);
    const entries = readFileSync(file, "utf8").split("\0").filter((e) => e !== "");
    const updated = entries.map((e) => (e.startsWith("AC_METADATA_URL=") ? `AC_METADATA_URL=${url}` : e));
    writeFileSync(file, updated.map((e) => `${e}\0`).join(""));
  }
}
