// Preparing a pod (rkt-internals §4.2-4.4): everything is resolved and checked first
// (stage1, images, pod manifest, users, volumes), so bad input leaves no pod behind;
// then the pod directory is created, filled and synced.
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  isImageId,
  parsePodManifest,
  serializeImageManifest,
  serializePodManifest,
  type EnvVar,
  type ExposedPort,
  type ImageManifest,
  type PodManifest,
  type Volume,
} from "../appc";
import type { Store } from "../store";
import { SIZE_LIMITS } from "../size-limits";
import { native, readFileBounded, syncFilesystemOf } from "../sys";
import { resolveRelativeExecs } from "./exec-path";
import { withImageClaimsLock } from "./images-in-use";
import { cacheListSummary } from "./list-cache";
import { encodeListSummary, LIST_SUMMARY_FILE } from "./list-summary";
import { overlaySupported, createOverlayDirs, podOverlayLayers } from "./overlay";
import { Pod } from "./pod";
import { savePodEtcChoices, type PodEtcChoices } from "./pod-etc";
import { buildPodManifest, checkPodManifest, effectiveApp, type AppArg, type ResolvedAppImage } from "./pod-manifest";
import { ignoredIsolatorWarnings, renderRuntimePlan, writeRuntimePlan, type AppPlan, type RenderedPlan, type RuntimePlan } from "./runtime-plan";
import { resolveStage1, stage1Entrypoint } from "./stage1-image";
import { resolveAppIds } from "./user-group";
import { resolveMounts, type MountFlag } from "./volumes";

export interface PrepareRequest {
  apps: AppArg[];
  /** `--pod-manifest`: run this manifest instead of building one from `apps`. */
  podManifestFile?: string;
  stage1Image?: string;
  volumes: Volume[];
  mounts: MountFlag[];
  ports: ExposedPort[];
  setEnv: EnvVar[];
  /** `--dns*` and `--hosts-entry`: the apps' resolv.conf and hosts (run-prepared may replace them). */
  podEtc?: PodEtcChoices;
  /** `--inherit-env`: rkt's own environment, below image and `--set-env` values. */
  inheritedEnv?: Record<string, string | undefined>;
  local: boolean;
  insecureSkipVerify: boolean;
  noOverlay: boolean;
  privateUsers: boolean;
  uuidFileSave?: string;
  /** `run --interactive`: the terminal goes to the one app, so a pod of several is refused. */
  interactive?: boolean;
  /**
   * Sync the pod's files and its move into `prepare/` before it is handed on (`prepare`,
   * whose pods wait in `prepared/`). `run` skips both: a crash there leaves a pod gc
   * removes anyway.
   */
  durable: boolean;
  /** Empty when the pod is not registered with a metadata service. */
  metadataUrl: string;
  /** Where notes go (ignored isolators); stderr by default. */
  warn?: (line: string) => void;
}

/** rkt failed after the pod directory existed: `rkt run` exits 254 for these (rkt-cli §1.5). */
export class PodSetupError extends Error {
  constructor(
    readonly uuid: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "PodSetupError";
  }
}

/** A prepared pod, still locked by this process and in `prepare/`. */
export interface PreparedPod {
  pod: Pod;
  /** Rendered tree (`cas/tree/<key>`) of every image the pod uses, by key. */
  trees: Map<string, string>;
  /** The stage1 manifest as written to the pod's `stage1/manifest`, already checked. */
  stage1Manifest: ImageManifest;
}

/** The checks of rkt-cli §3.1/§3.2 that need no store. */
export function checkPrepareRequest(req: PrepareRequest): void {
  if (req.podManifestFile !== undefined) {
    const conflicting = req.apps.length > 0 || req.volumes.length > 0 || req.ports.length > 0 || req.mounts.length > 0 || req.setEnv.length > 0 || req.inheritedEnv !== undefined || req.local;
    if (conflicting) throw new Error("conflicting flags set with --pod-manifest (see --help)");
  } else if (req.apps.length === 0) {
    throw new Error("must provide at least one image or specify the pod manifest");
  }
  if (req.privateUsers) {
    if (!existsSync("/proc/self/uid_map")) throw new Error("--private-users is not supported, kernel compiled without user namespace support");
    if (!req.noOverlay && overlaySupported()) throw new Error("cannot use both overlay and user namespace: not implemented yet. (Try --no-overlay)");
  }
}

/**
 * Whether every image of the request is named by its image ID (the default stage1 is found
 * by its own): then a cached start finds them all in rendered trees, without the store's
 * index, and an uncached one first needs the index before it takes any store lock (see
 * Store.open's indexOnDemand).
 */
export function namesImagesById(req: PrepareRequest): boolean {
  if (req.podManifestFile !== undefined) return false;
  return (req.stage1Image === undefined || isImageId(req.stage1Image)) && req.apps.every((app) => isImageId(app.image));
}

interface ResolvedPod {
  manifest: PodManifest;
  images: Map<string, { key: string; manifest: ImageManifest }>;
}

/** `--pod-manifest`'s file; a bad manifest is reported with its path, an empty one before stage1 meets it. */
function readPodManifestFile(path: string): PodManifest {
  const text = readFileBounded(path, SIZE_LIMITS.manifestFile).toString("utf8");
  try {
    const manifest = parsePodManifest(text);
    if (manifest.apps.length === 0) throw new Error("the pod has no apps");
    return manifest;
  } catch (err) {
    throw new Error(`pod manifest ${path}: ${(err as Error).message}`);
  }
}

async function resolveImages(store: Store, req: PrepareRequest, fetchImage: FetchImage): Promise<ResolvedPod> {
  const images = new Map<string, { key: string; manifest: ImageManifest }>();
  if (req.podManifestFile !== undefined) {
    const manifest = readPodManifestFile(req.podManifestFile);
    for (const app of manifest.apps) {
      const key = await fetchImage(app.image.id, {});
      images.set(app.name, { key, manifest: store.readManifest(key) });
      // Reified: every app names its image by the full store key, as stage0 uses it later.
      app.image.id = key;
    }
    return { manifest, images };
  }
  const resolved: ResolvedAppImage[] = [];
  for (const arg of req.apps) {
    const key = await fetchImage(arg.image, { signature: arg.signature });
    resolved.push({ arg, key, manifest: store.readManifest(key) });
  }
  const manifest = buildPodManifest(resolved, req);
  manifest.apps.forEach((app, i) => images.set(app.name, resolved[i]!));
  await resolveRelativeExecs(manifest, async (app) => join(await store.renderTree(images.get(app)!.key), "rootfs"));
  return { manifest, images };
}

/** Fetches one image into the store (rendering its tree); returns its key. */
export type FetchImage = (ref: string, opts: { signature?: string; stage1?: boolean }) => Promise<string>;

/** SHIFT:COUNT for --private-users (rkt-internals §11). */
function privateUsersRange(): { shift: number; count: number } {
  const random = 1 + Math.floor(Math.random() * 32767);
  return { shift: random << 16, count: 65536 };
}

/**
 * Prepares a pod for `req`; on success the pod is in `prepare/`, locked by this process
 * (its files synced when `req.durable`). Failures before the pod exists are plain errors; later ones are
 * PodSetupErrors and leave an unlocked pod in `prepare/` ("aborted prepare") for gc.
 * The images are chosen (and fetched) with no lock held, so `rkt image rm` never waits
 * for a download; then, holding `pods/` shared until the pod's directory names them, they
 * are checked to be still stored, and `rkt image rm` waits.
 */
export async function preparePod(dataDir: string, store: Store, req: PrepareRequest, fetchImage: FetchImage): Promise<PreparedPod> {
  const chosen = await choosePodImages(store, req, fetchImage);
  return withImageClaimsLock(dataDir, "shared", async () => {
    for (const key of imageKeysOf(chosen)) {
      if (!store.hasImage(key)) throw new Error(`image ${key} was removed while the pod was being prepared`);
    }
    store.markImagesChosenByPod(imageKeysOf(chosen));
    return createPod(dataDir, store, req, chosen);
  });
}

interface ChosenImages {
  stage1Key: string;
  stage1Manifest: ImageManifest;
  resolved: ResolvedPod;
}

/** The stage1's key, then each app's (repeated when apps share an image). */
function imageKeysOf(chosen: ChosenImages): string[] {
  return [chosen.stage1Key, ...[...chosen.resolved.images.values()].map((i) => i.key)];
}

async function choosePodImages(store: Store, req: PrepareRequest, fetchImage: FetchImage): Promise<ChosenImages> {
  checkPrepareRequest(req);
  const stage1Key = await resolveStage1(store, req.stage1Image, (ref) => fetchImage(ref, { stage1: true }));
  const stage1Manifest = store.readManifest(stage1Key);
  stage1Entrypoint(stage1Manifest, "run");
  const resolved = await resolveImages(store, req, fetchImage);
  const imageManifests = new Map([...resolved.images].map(([app, image]) => [app, image.manifest]));
  checkPodManifest(resolved.manifest, imageManifests);
  if (req.interactive && resolved.manifest.apps.length > 1) throw new Error("interactive option only supports one image");
  return { stage1Key, stage1Manifest, resolved };
}

async function createPod(dataDir: string, store: Store, req: PrepareRequest, chosen: ChosenImages): Promise<PreparedPod> {
  const { stage1Key, stage1Manifest, resolved } = chosen;
  const useOverlay = !req.noOverlay && overlaySupported();
  const trees = new Map<string, string>();
  for (const key of imageKeysOf(chosen)) {
    if (!trees.has(key)) trees.set(key, await store.renderTree(key));
  }
  const plan: RuntimePlan = {
    apps: resolved.manifest.apps.map((runtimeApp): AppPlan => {
      const { key, manifest: image } = resolved.images.get(runtimeApp.name)!;
      const app = effectiveApp(runtimeApp, image);
      return {
        name: runtimeApp.name,
        app,
        image,
        ids: resolveAppIds(join(trees.get(key)!, "rootfs"), app.user, app.group, runtimeApp.name),
        mounts: resolveMounts(runtimeApp, app, resolved.manifest.volumes ?? []).mounts,
      };
    }),
    podIsolators: resolved.manifest.isolators,
    metadataUrl: req.metadataUrl,
  };
  const warn = req.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  for (const note of ignoredIsolatorWarnings(plan)) warn(note);
  const planFiles = renderRuntimePlan(plan);

  const pod = Pod.create(dataDir, { durable: req.durable });
  try {
    if (req.uuidFileSave !== undefined) writeUuidFile(req.uuidFileSave, pod.uuid);
    const appKeys = resolved.manifest.apps.map((a) => ({ name: a.name, key: resolved.images.get(a.name)!.key }));
    const listSummary = encodeListSummary(resolved.manifest, (app) => resolved.images.get(app)!.manifest.name);
    fillPodDir(pod.path, {
      manifestText: serializePodManifest(resolved.manifest),
      listSummary,
      stage1Key,
      stage1Manifest,
      appKeys,
      trees,
      planFiles,
      useOverlay,
      durable: req.durable,
      privateUsers: req.privateUsers ? privateUsersRange() : undefined,
    });
    await cacheListSummary(pod, listSummary);
    if (req.podEtc?.resolvConf || req.podEtc?.hosts) savePodEtcChoices(pod.path, req.podEtc);
  } catch (err) {
    pod.releaseLock();
    throw new PodSetupError(pod.uuid, err);
  }
  return { pod, trees, stage1Manifest };
}

function writeUuidFile(path: string, uuid: string): void {
  writeFileSync(path, uuid, { mode: 0o644 });
  chmodSync(path, 0o644);
}

interface PodContents {
  manifestText: string;
  /** What `rkt list` reads instead of the manifest. */
  listSummary: Buffer;
  stage1Key: string;
  stage1Manifest: ImageManifest;
  appKeys: { name: string; key: string }[];
  trees: Map<string, string>;
  planFiles: RenderedPlan;
  useOverlay: boolean;
  durable: boolean;
  privateUsers?: { shift: number; count: number };
}

/** The files of rkt-internals §4.3, the app roots (overlay dirs or copies) and the plan. */
function fillPodDir(podPath: string, c: PodContents): void {
  writeFileSync(join(podPath, "pod"), c.manifestText, { mode: 0o700 });
  writeFileSync(join(podPath, LIST_SUMMARY_FILE), c.listSummary, { mode: 0o600 });
  writeFileSync(join(podPath, "stage1ID"), c.stage1Key);
  mkdirSync(join(podPath, "stage1"), { mode: 0o755 });
  writeFileSync(join(podPath, "stage1", "manifest"), serializeImageManifest(c.stage1Manifest));
  const treeRootfs = (key: string) => join(c.trees.get(key)!, "rootfs");
  const layers = podOverlayLayers(podPath, treeRootfs, c.stage1Key, c.appKeys);
  let stage1Root: string;
  if (c.useOverlay) {
    writeFileSync(join(podPath, "overlay-prepared"), "");
    createOverlayDirs(layers);
    // Nothing is mounted before run: write what stage1 and the apps need into the upper dirs.
    stage1Root = layers[0]!.upper;
    for (const layer of layers.slice(1)) {
      if (!existsSync(join(layer.lower, "tmp"))) ensureTmp(layer.upper, 0);
    }
  } else {
    // Shift only for private users: a shifted copy also refuses ids outside the range.
    const uidShift = c.privateUsers?.shift;
    if (c.privateUsers) writeFileSync(join(podPath, "private-users-prepared"), `${c.privateUsers.shift}:${c.privateUsers.count}`);
    for (const layer of layers) {
      mkdirSync(dirname(layer.target), { recursive: true, mode: 0o755 });
      native.copyTree(layer.lower, layer.target, { uidShift });
      ensureTmp(layer.target, uidShift ?? 0);
    }
    stage1Root = layers[0]!.target;
  }
  writeRuntimePlan(stage1Root, c.planFiles, c.privateUsers?.shift);
  if (c.durable) syncFilesystemOf(podPath);
}

/** Apps get a world-writable /tmp even when their image has none (stage1/README.md). */
function ensureTmp(root: string, uidShift: number): void {
  const tmp = join(root, "tmp");
  if (existsSync(tmp)) return;
  mkdirSync(tmp, { mode: 0o1777 });
  chmodSync(tmp, 0o1777);
  if (uidShift) chownSync(tmp, uidShift, uidShift);
}

