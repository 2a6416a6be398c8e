// The one path from a Docker or OCI image to the store, whatever brought it (a registry, a
// `docker save` archive, an OCI image layout): the config converted to an appc manifest,
// the layers squashed into one ACI by the native import, straight from the layer files as
// they came (native/docker_squash.h). Nothing of the source or the moment goes into the
// ACI, so the same config, layers and reference give the same image ID.
import { join } from "node:path";
import { serializeImageManifest } from "../appc";
import { WorkDir, type BottomLayerArrival, type Store } from "../store";
import { parseImageConfig } from "./image-config";
import { convertImageConfig, creationTime } from "./manifest-conversion";
import type { DockerReference } from "./reference";

/** An image read from its source, every blob's digest checked (the bottom layer's as it arrives). */
export interface LoadedImage extends SavedLayers {
  /** Names the ACI (name, version label, annotations). */
  reference: DockerReference;
  configBytes: Uint8Array;
  configDigest: string;
}

export interface SavedLayers {
  /** The layers, bottom first, as files in the scratch directory. */
  layerFiles: string[];
  /** When given, the bottom layer's file is still to be written by it, as the import reads it (src/store/docker-layers-import.ts). */
  bottomArrival?: BottomLayerArrival;
}

/** Converts and imports the image that `load` reads into a scratch directory; returns the store key. */
export async function importConverted(store: Store, load: (scratch: string) => Promise<LoadedImage>): Promise<string> {
  const work = WorkDir.create(store.layout.tmp);
  try {
    const image = await load(work.path);
    const config = parseImageConfig(image.configBytes, image.configDigest);
    const manifest = convertImageConfig(image.reference, config, image.configDigest);
    const mtime = Math.floor((creationTime(config)?.getTime() ?? 0) / 1000);
    return (await store.importDockerLayers(image.layerFiles, serializeImageManifest(manifest), mtime, manifest.name, image.bottomArrival)).key;
  } finally {
    work.remove();
  }
}

/** Writes `layer` to the new file `path`, its digest checked, calling `onWritten` (when given) after each chunk written. */
export type SaveLayer<T> = (layer: T, path: string, onWritten?: () => void) => Promise<void>;

/**
 * Saves each layer above the bottom one as `scratch/layer-N` with `save`, and leaves the
 * bottom one (`layer-0`, the largest as a rule) to arrive while the import reads it.
 */
export async function saveLayerFiles<T>(layers: T[], scratch: string, save: SaveLayer<T>): Promise<SavedLayers> {
  const layerFiles = layers.map((_, n) => join(scratch, `layer-${n}`));
  for (let n = 1; n < layers.length; n++) await save(layers[n]!, layerFiles[n]!);
  if (layers.length === 0) return { layerFiles };
  return { layerFiles, bottomArrival: (grew) => save(layers[0]!, layerFiles[0]!, grew) };
}
