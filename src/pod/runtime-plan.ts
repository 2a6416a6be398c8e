// The files stage0 hands to stage1 under `stage1/rootfs/rkt/` (stage1/README.md, the
// contract): app list, environments, argv, ids, working directories, mounts, capability
// bounding sets, resource limits and socket-activated ports.
import { chownSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
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
import { decodeRecords, encodeList, encodeRecords, FieldLimit } from "./contract-records";
import { finalAppEnvironment } from "./environment";
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

function limitsFile(isolators: readonly Isolator[] | null | undefined, what: string): Buffer | undefined {
  const records: string[][] = [];
  const memory = memoryLimitBytes(isolators);
  if (memory !== undefined) records.push(["memory", String(memory)]);
  const cpu = cpuLimitMillicores(isolators);
  if (cpu !== undefined) records.push(["cpu", String(cpu)]);
  return records.length ? encodeRecords(records, FieldLimit.name, what) : undefined;
}

function mountsFile(mounts: readonly ResolvedMount[], what: string): Buffer {
  const records = mounts.map((m) => {
    const mode = m.readOnly ? "ro" : "rw";
    return m.volume.kind === "host" ? ["host", m.volume.source!, m.path, mode] : ["empty", m.volume.name, m.path, mode];
  });
  return encodeRecords(records, FieldLimit.path, what);
}

function socketsFile(app: App, what: string): Buffer | undefined {
  const records: string[][] = [];
  for (const port of app.ports ?? []) {
    if (!port.socketActivated) continue;
    if (port.protocol !== "tcp" && port.protocol !== "udp") throw new Error(`unrecognized protocol: ${port.protocol}`);
    for (let n = 0; n < portCount(port); n++) records.push([port.protocol, String(port.port + n)]);
  }
  return records.length ? encodeRecords(records, FieldLimit.name, what) : undefined;
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

/** A file of the plan, its path relative to the stage1 root. */
export interface PlanFile {
  path: string;
  content: Buffer | string;
  mode?: number;
}

/** The plan as files, ready to write. */
export interface RenderedPlan {
  appNames: string[];
  files: PlanFile[];
}

/**
 * The plan's files; throws, naming the file, on a value stage1 could not be handed as it
 * is, so that prepare renders the plan before it creates the pod.
 */
export function renderRuntimePlan(plan: RuntimePlan): RenderedPlan {
  const files: PlanFile[] = [];
  const add = (path: string, content: Buffer | string | undefined, mode?: number) => {
    if (content !== undefined) files.push({ path, content, mode });
  };
  add("rkt/apps", encodeList(plan.apps.map((a) => a.name), FieldLimit.name, "the app names"));
  add("rkt/pod-limits", limitsFile(plan.podIsolators, "the pod's limits"));
  for (const a of plan.apps) {
    const of = `of app "${a.name}"`;
    const dir = `rkt/app/${a.name}`;
    const env = finalAppEnvironment(a.name, a.app.environment, plan.metadataUrl);
    add(`rkt/env/${a.name}`, encodeEnvironment(env.map((v) => `${v.name}=${v.value}`), a.name), 0o600);
    add(`${dir}/exec`, encodeList(a.app.exec, FieldLimit.string, `exec ${of}`));
    for (const handler of a.app.eventHandlers ?? []) add(`${dir}/${handler.name}`, encodeList(handler.exec, FieldLimit.string, `${handler.name} ${of}`));
    // The supplementary list repeats the primary group, as initgroups(3) does.
    add(`${dir}/ids`, encodeList([a.ids.uid, a.ids.gid, ...a.ids.groups], FieldLimit.name, `ids ${of}`));
    add(`${dir}/workdir`, encodeList([a.app.workingDirectory || "/"], FieldLimit.path, `workingDirectory ${of}`));
    add(`${dir}/mounts`, mountsFile(a.mounts, `mounts ${of}`));
    add(`${dir}/caps`, encodeList(capabilityBoundingSet(a.app.isolators, DEFAULT_CAPABILITIES), FieldLimit.name, `capabilities ${of}`));
    add(`${dir}/limits`, limitsFile(a.app.isolators, `limits ${of}`));
    add(`${dir}/sockets`, socketsFile(a.app, `socket-activated ports ${of}`));
    add(`opt/stage2/${a.name}/manifest`, serializeImageManifest(a.image));
  }
  return { appNames: plan.apps.map((a) => a.name), files };
}

/**
 * Writes a rendered plan under `stage1Root` (the stage1 rootfs, or the upper directory of
 * its overlay at prepare time). With `ownerShift` (private users) the files are chowned so
 * that stage1 reads them as root of its user namespace.
 */
export function writeRuntimePlan(stage1Root: string, rendered: RenderedPlan, ownerShift?: number): void {
  const rkt = join(stage1Root, "rkt");
  for (const dir of ["env", "app", "status"]) mkdirSync(join(rkt, dir), { recursive: true, mode: 0o755 });
  for (const name of rendered.appNames) mkdirSync(join(stage1Root, "opt", "stage2", name, "rootfs"), { recursive: true, mode: 0o755 });
  for (const file of rendered.files) {
    const path = join(stage1Root, file.path);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writeFileSync(path, file.content, { mode: file.mode });
  }
  if (ownerShift !== undefined) {
    chownTree(rkt, ownerShift);
    // The app roots are shifted copies already; only the directories above them and the manifests.
    const stage2 = join(stage1Root, "opt", "stage2");
    for (const path of [join(stage1Root, "opt"), stage2]) chownSync(path, ownerShift, ownerShift);
    for (const name of rendered.appNames) {
      chownSync(join(stage2, name), ownerShift, ownerShift);
      chownSync(join(stage2, name, "manifest"), ownerShift, ownerShift);
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

function encodeEnvironment(entries: readonly string[], appName: string): Buffer {
  return encodeList(entries, FieldLimit.string, `environment of app "${appName}"`);
}

function readPlannedEnvironment(file: string): string[] {
  return decodeRecords(readFileSync(file), 1, file).map(([entry]) => entry!);
}

/**
 * Sets AC_METADATA_URL in the planned environment of each app, once the pod is
 * registered; the files keep their owner and mode.
 */
export function setPlannedMetadataUrl(podPath: string, appNames: readonly string[], url: string): void {
  for (const name of appNames) {
    const file = join(stage1WrittenRoot(podPath), "rkt", "env", name);
    const updated = readPlannedEnvironment(file).map((e) => (e.startsWith("AC_METADATA_URL=") ? `AC_METADATA_URL=${url}` : e));
    writeFileSync(file, encodeEnvironment(updated, name));
  }
}
