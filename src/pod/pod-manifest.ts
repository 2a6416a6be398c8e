// The pod manifest `rkt run`/`rkt prepare` generate from their images and flags
// (rkt-cli §3.1 "App construction"), and the checks every pod manifest must pass
// before a pod is created for it.
import { existsSync } from "node:fs";
import { CPU, MEMORY, appNameFromImageName, refuseControlCharacters, type App, type Isolator, type EnvVar, type ExposedPort, type ImageManifest, type PodManifest, type RuntimeApp, type Volume } from "../appc";
import { mergeAppEnvironment } from "./environment";
import { applyMountFlags, missingVolumeMessage, resolveMounts, type MountFlag } from "./volumes";

/**
 * The pod manifest version we write. rkt v0.8.0 put its own version ("0.8.0") here; we
 * write the appc version the manifest follows, which is what the field means.
 */
const POD_MANIFEST_AC_VERSION = "0.6.1";

/** An app of the command line: IMAGE [--exec=PATH] [--signature=FILE] [--memory=Q] [--cpu=Q] [--user=U] [--group=G] [-- ARGS...]. */
export interface AppArg {
  /** The image reference as typed: ID prefix, path, name or URL. */
  image: string;
  /** `--exec`: replaces the image's exec. */
  exec?: string;
  /** `--signature`: detached signature for this image. */
  signature?: string;
  /** `--memory`, `--cpu`: the app's resource/memory and resource/cpu limits (quantities). */
  memory?: string;
  cpu?: string;
  /** `--user`, `--group`: replace the image's. */
  user?: string;
  group?: string;
  /** Tokens after `--`, appended to exec. */
  args: string[];
}

/** An app of the command line with its image fetched. */
export interface ResolvedAppImage {
  arg: AppArg;
  key: string;
  manifest: ImageManifest;
}

export interface PodManifestInputs {
  volumes: Volume[];
  mounts: MountFlag[];
  ports: ExposedPort[];
  setEnv: EnvVar[];
  /** rkt's own environment, with `--inherit-env`. */
  inheritedEnv?: Record<string, string | undefined>;
}

/** One app per image in command-line order, named after the image's last name component. */
export function buildPodManifest(images: ResolvedAppImage[], inputs: PodManifestInputs): PodManifest {
  const apps: RuntimeApp[] = [];
  for (const { arg, key, manifest } of images) {
    const name = appNameFromImageName(manifest.name);
    if (apps.some((a) => a.name === name)) throw new Error(`error: multiple apps with name ${name}`);
    if (!manifest.app) throw new Error(`error: image ${arg.image} has no app section`);
    const app: App = structuredClone(manifest.app);
    if (arg.exec !== undefined) app.exec = [arg.exec];
    app.exec.push(...arg.args);
    if (arg.user !== undefined) app.user = arg.user;
    if (arg.group !== undefined) app.group = arg.group;
    app.isolators = withResourceLimits(app.isolators, arg);
    app.environment = mergeAppEnvironment(manifest.app.environment, inputs.setEnv, inputs.inheritedEnv);
    const mounts = applyMountFlags(app, inputs.mounts);
    const runtimeApp: RuntimeApp = {
      name,
      image: { id: key, name: manifest.name, ...(manifest.labels?.length ? { labels: manifest.labels } : {}) },
      app,
    };
    if (mounts.length > 0) runtimeApp.mounts = mounts;
    if (manifest.annotations?.length) runtimeApp.annotations = structuredClone(manifest.annotations);
    apps.push(runtimeApp);
  }
  return {
    acVersion: POD_MANIFEST_AC_VERSION,
    acKind: "PodManifest",
    apps,
    volumes: inputs.volumes,
    isolators: null,
    annotations: null,
    ports: inputs.ports,
  };
}

/** The image's isolators with `--memory`/`--cpu` replacing its resource/memory and resource/cpu (request = limit, as rkt 1.x). */
function withResourceLimits(isolators: Isolator[] | undefined, arg: AppArg): Isolator[] | undefined {
  const limits: [string, string | undefined][] = [[MEMORY, arg.memory], [CPU, arg.cpu]];
  let result = isolators;
  for (const [name, quantity] of limits) {
    if (quantity === undefined) continue;
    result = [...(result ?? []).filter((i) => i.name !== name), { name, value: { request: quantity, limit: quantity } }];
  }
  return result;
}

/** The app a pod runs: the pod manifest's `app`, else the image's. */
export function effectiveApp(runtimeApp: RuntimeApp, image: ImageManifest): App {
  const app = runtimeApp.app ?? image.app;
  if (!app) throw new Error(`error: image ${image.name} has no app section`);
  return app;
}

/**
 * Checks what stage1 would otherwise fail on later: every app runnable, every mount
 * point bound to a volume, every `--mount`/`mounts` entry naming a volume of the pod, and
 * no control character in what reaches stage1 (images stored before that rule, flags).
 */
export function checkPodManifest(pod: PodManifest, images: ReadonlyMap<string, ImageManifest>): void {
  const volumes = pod.volumes ?? [];
  refuseControlCharacters(volumes, "volumes");
  for (const runtimeApp of pod.apps) {
    const image = images.get(runtimeApp.name)!;
    const app = effectiveApp(runtimeApp, image);
    try {
      refuseControlCharacters(app, "app");
      refuseControlCharacters(runtimeApp.mounts ?? [], "mounts");
    } catch (err) {
      throw new Error(`app "${runtimeApp.name}" of image ${image.name}: ${(err as Error).message}`);
    }
    const unknown = runtimeApp.mounts?.find((m) => !volumes.some((v) => v.name === m.volume));
    if (unknown) throw new Error(`app "${runtimeApp.name}": no volume named "${unknown.volume}" (add --volume ${unknown.volume},kind=...)`);
    const { mounts, missing } = resolveMounts(runtimeApp, app, volumes);
    if (missing.length > 0) throw new Error(missingVolumeMessage(runtimeApp.name, runtimeApp.image.id, missing));
    const absent = mounts.find((m) => m.volume.kind === "host" && !existsSync(m.volume.source!));
    if (absent) throw new Error(`volume "${absent.volume.name}": host path ${absent.volume.source} does not exist (create it, or give --volume another source)`);
  }
}
