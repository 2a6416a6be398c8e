// Handing a prepared pod to stage1 (rkt-internals §5.2): mount the overlays in the host
// mount namespace, keep the pod lock (and any sockets passed to rkt by the host's socket
// activation) open across exec, chdir into the pod and execve
// the stage1 run entrypoint. The Bun process is replaced; `rkt run` exits with stage1's
// status.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ImageManifest } from "../appc";
import { libc, socketsPassedByServiceManager } from "../sys";
import { mountOverlays, podOverlayLayers } from "./overlay";
import { registerUnlessUnreachable, type PodLink } from "./mds-registration";
import { Pod } from "./pod";
import { writePodEtcFiles, type PodEtcChoices } from "./pod-etc";
import { readPodManifest, readStage1Id, usesOverlay } from "./pod-files";
import { readPodStage1Manifest, stage1Entrypoint } from "./stage1-image";

export interface Stage1RunOptions {
  debug: boolean;
  interactive: boolean;
  /** `--private-net` list (`all` for the bare flag); undefined for host networking. */
  privateNet?: string;
  mdsToken?: string;
  localConfig?: string;
  /** `--insecure-options`: parts of the apps' confinement to switch off (`seccomp`, `no-new-privs`). */
  insecureOptions?: string[];
}

export interface StartPodOptions extends Omit<Stage1RunOptions, "mdsToken"> {
  /** --mds-register: register the pod with the metadata service; `required` fails the run without one. */
  mdsRegister?: { required: boolean };
  /** run-prepared's `--dns*`/`--hosts-entry`: each part given replaces prepare's. */
  podEtc?: PodEtcChoices;
}

/** The stage1 `init` arguments, in the contract's order (stage1/README.md). */
export function stage1RunArgs(podPath: string, uuid: string, opts: Stage1RunOptions): string[] {
  const args: string[] = [];
  if (opts.debug) args.push("--debug");
  if (opts.privateNet !== undefined) args.push(`--private-net=${opts.privateNet}`);
  if (opts.interactive) args.push("--interactive");
  const privateUsers = readOptional(join(podPath, "private-users-prepared"));
  if (privateUsers !== undefined) args.push(`--private-users=${privateUsers}`);
  if (opts.insecureOptions?.length) args.push(`--insecure-options=${opts.insecureOptions.join(",")}`);
  if (opts.mdsToken !== undefined) args.push(`--mds-token=${opts.mdsToken}`);
  if (opts.localConfig !== undefined) args.push(`--local-config=${opts.localConfig}`);
  args.push(uuid);
  return args;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

function stage1KeyOf(pod: Pod): string {
  const stage1Key = readStage1Id(pod.path);
  if (!stage1Key) throw new Error(`pod ${pod.uuid} has no stage1ID`);
  return stage1Key;
}

/** Mounts the pod's overlays; `treeOf(key)` is the image's rendered tree `cas/tree/<key>`. */
function mountPodOverlays(pod: Pod, treeOf: (key: string) => string): void {
  const stage1Key = stage1KeyOf(pod);
  const apps = readPodManifest(pod.path).apps.map((a) => ({ name: a.name, key: a.image.id }));
  mountOverlays(podOverlayLayers(pod.path, (key) => join(treeOf(key), "rootfs"), stage1Key, apps));
}

/**
 * Replaces this process with the pod's stage1. The pod must be in `run/` and locked by
 * this process, its overlays (if any) mounted. `stage1Manifest` is the pod's
 * `stage1/manifest`, parsed.
 */
function execStage1(pod: Pod, opts: Stage1RunOptions, stage1Manifest: ImageManifest): never {
  const lockFd = pod.lockFd;
  if (lockFd === undefined) throw new Error(`pod ${pod.uuid} is not locked by this process`);
  const entrypoint = stage1Entrypoint(stage1Manifest, "run");
  const program = join(pod.path, "stage1", "rootfs", entrypoint);
  libc.clearCloseOnExec(lockFd, pod.path);
  // Bun makes inherited descriptors from 4 up close-on-exec; stage1 hands these to the apps.
  for (const fd of socketsPassedByServiceManager()) libc.clearCloseOnExec(fd, `descriptor ${fd} passed by socket activation`);
  process.chdir(pod.path);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  env.RKT_LOCK_FD = String(lockFd);
  return libc.execve(program, [program, ...stage1RunArgs(pod.path, pod.uuid, opts)], env);
}

/** A terminal can go to one app only. */
function refuseInteractiveWithSeveralApps(pod: Pod, interactive: boolean): void {
  if (interactive && readPodManifest(pod.path).apps.length > 1) throw new Error("interactive option only supports pods with one app");
}

/** Ports given at prepare are forwarded into a private network; on the host's network they would silently go nowhere. */
function refusePortsWithoutPrivateNetwork(pod: Pod, privateNet: string | undefined): void {
  // A hand-written pod manifest (--pod-manifest) may leave `ports` out.
  if (privateNet !== undefined || !readPodManifest(pod.path).ports?.length) return;
  throw new Error(`pod "${pod.uuid}" was prepared with --port, which needs a private network: run it with --net or --private-net`);
}

/**
 * run-prepared: takes the prepared pod's lock and moves it to `run/`; of two racing
 * callers one loses the lock or the rename (rkt-internals §4.2). A pod refused for
 * `interactive`, or for ports on the host's network, stays prepared.
 */
export function claimPreparedPod(dataDir: string, uuidPrefix: string, opts: { interactive?: boolean; privateNet?: string } = {}): Pod {
  const pod = Pod.resolve(dataDir, uuidPrefix);
  if (pod.dirState !== "prepared") throw new Error(`pod "${pod.uuid}" is not prepared`);
  let locked: boolean;
  try {
    locked = pod.tryLockExclusive();
  } catch (err) {
    // A racing run-prepared renamed it to run/ between our lookup and our lock.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`pod "${pod.uuid}" is not prepared`);
    throw err;
  }
  if (!locked) throw new Error(`cannot transition to run: pod "${pod.uuid}" is locked by another process`);
  try {
    // The winner of a race may have run the pod to its end (releasing the lock) between
    // our lookup and our lock: the directory we hold is then no longer in prepared/.
    if (!existsSync(pod.path)) throw new Error(`pod "${pod.uuid}" is not prepared`);
    refuseInteractiveWithSeveralApps(pod, opts.interactive ?? false);
    refusePortsWithoutPrivateNetwork(pod, opts.privateNet);
  } catch (err) {
    pod.releaseLock();
    throw err;
  }
  try {
    pod.moveTo("run");
  } catch (err) {
    pod.releaseLock();
    throw new Error(`cannot transition to run: ${(err as Error).message}`);
  }
  return pod;
}

/** The rendered tree of every image a pod uses (stage1 first), rendering missing ones again. */
export async function renderPodTrees(pod: Pod, render: (key: string) => Promise<string>): Promise<Map<string, string>> {
  const stage1Key = readStage1Id(pod.path);
  if (!stage1Key) throw new Error(`pod ${pod.uuid} has no stage1ID`);
  const trees = new Map<string, string>();
  for (const key of [stage1Key, ...readPodManifest(pod.path).apps.map((a) => a.image.id)]) {
    if (!trees.has(key)) trees.set(key, await render(key));
  }
  return trees;
}

/**
 * Writes the files for the apps' /etc of a pod in `run/`, sets up its private networking
 * (with `privateNet`), registers it with the metadata service (with `mdsRegister`),
 * mounts its overlays (when it uses them) and execs its stage1. An interactive pod has one
 * app: preparePod and claimPreparedPod refused it otherwise. `stage1Manifest`: the pod's
 * stage1 manifest when the caller parsed it already, which spares a second validation
 * on the start path; read from the pod otherwise.
 */
export async function startPod(pod: Pod, treeOf: (key: string) => string, opts: StartPodOptions, stage1Manifest?: ImageManifest): Promise<never> {
  writePodEtcFiles(pod.path, opts.privateNet !== undefined, opts.podEtc);
  // Networking, then registration (which needs the pod's address): both may still edit
  // the apps' environment files, which must not change under a mounted overlay.
  const link = opts.privateNet !== undefined ? await setUpPrivateNetwork(pod, opts.privateNet, treeOf, opts.localConfig) : undefined;
  const mdsToken = opts.mdsRegister ? await registerUnlessUnreachable(pod, { required: opts.mdsRegister.required, link }) : undefined;
  if (usesOverlay(pod.path)) mountPodOverlays(pod, treeOf);
  return execStage1(pod, { ...opts, mdsToken }, stage1Manifest ?? readPodStage1Manifest(pod.path));
}

/**
 * Loaded only here, so host networking costs nothing on the start path. Returns the
 * pod's link in its last (default) network: the pod's 127.0.0.1 is its own, so it
 * reaches the host, and the metadata service, through the host's end of that link, as
 * rkt's stage1 did.
 */
async function setUpPrivateNetwork(pod: Pod, selection: string, treeOf: (key: string) => string, localConfig = "/etc/rkt"): Promise<PodLink | undefined> {
  const { setUpPodNetwork } = await import("../net");
  const manifest = readPodManifest(pod.path);
  // The pod's stage1 rootfs is not mounted yet: its plugins are taken from its tree.
  const stage1Plugins = join(treeOf(stage1KeyOf(pod)), "rootfs/usr/lib/rkt/plugins/net");
  const last = setUpPodNetwork({ podPath: pod.path, uuid: pod.uuid, selection, localConfig, manifest, stage1Plugins }).at(-1);
  return last?.gateway ? { podAddress: last.ip, hostAddress: last.gateway } : undefined;
}
