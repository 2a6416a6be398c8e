// The one path from a Docker or OCI image to the store, whatever brought it (a registry, a
// `docker save` archive, an OCI image layout): the config converted to an appc manifest,
// the layers squashed into one ACI by the native import, straight from the layer files as
// they came (native/docker_squash.h). Nothing of the source or the moment goes into the
// ACI, so the same config, layers and reference give the same image ID.
import { join } from "node:path";
import { serializeImageManifest } from "../appc";
import { WorkDir, type Store } from "../store";
import { parseImageConfig } from "./image-config";
import { convertImageConfig, creationTime } from "./manifest-conversion";
import type { DockerReference } from "./reference";

/** An image read from its source, every blob's digest checked. */
export interface LoadedImage {
  /** Names the ACI (name, version label, annotations). */
  reference: DockerReference;
  configBytes: Uint8Array;
  configDigest: string;
  /** The layers, bottom first, as files in the scratch directory. */
  layerFiles: string[];
}

/** Converts and imports the image that `load` reads into a scratch directory; returns the store key. */
export async function importConverted(store: Store, load: (scratch: string) => Promise<LoadedImage>): Promise<string> {
  const work = WorkDir.create(store.layout.tmp);
  try {
    const image = await load(work.path);
    const config = parseImageConfig(image.configBytes, image.configDigest);
    const manifest = convertImageConfig(image.reference, config, image.configDigest);
    const mtime = Math.floor((creationTime(config)?.getTime() ?? 0) / 1000);
    return (await store.importDockerLayers(image.layerFiles, serializeImageManifest(manifest), mtime, manifest.name)).key;
  } finally {
    work.remove();
  }
}

/** Saves each layer, bottom first, as `scratch/layer-N` with `save`; returns the paths. */
export async function saveLayerFiles<T>(layers: T[], scratch: string, save: (layer: T, path: string) => Promise<void>): Promise<string[]> {
  const paths: string[] = [];
  for (const [n, layer] of layers.entries()) {
    const path = join(scratch, `layer-${n}`);
    await save(layer, path);
    paths.push(path);
  }
  return paths;
}
