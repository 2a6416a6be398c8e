// The native import of a Docker image's layer files (native/docker_squash.h), started while
// the bottom layer may still be arriving: the layers above it decide what of it is seen and
// come whole first, then the bottom one (the largest, as a rule: the base system) is read
// as it is written, so that its download and its import overlap. The import cannot end
// before the download says the file is whole and its digest checked.
import { native } from "../sys";

/** Writes the bottom layer's file, calling `grew` after each chunk; resolves once it is whole and its digest checked. */
export type BottomLayerArrival = (grew: () => void) => Promise<void>;

/** Squashes `layerFiles` (bottom first) into the blob and the tree under `work` (see native.startDockerLayersImport). */
export async function importDockerLayerFiles(
  layerFiles: string[],
  manifestJson: string,
  mtime: number,
  image: string,
  work: string,
  rootfs: string | undefined,
  bottomArrival?: BottomLayerArrival,
): Promise<native.ImportedAci> {
  const start = () => native.startDockerLayersImport(layerFiles, manifestJson, mtime, image, work, rootfs);
  if (!bottomArrival) {
    const whole = start();
    whole.sourceEnd(true);
    return whole.finish();
  }
  // Started at the first chunk: the bottom layer's file exists from then on.
  let job: native.DockerLayersImport | undefined;
  let importStopped = false;
  try {
    await bottomArrival(() => {
      if ((job ??= start()).grew()) return;
      importStopped = true;
      throw new Error("the import stopped"); // ends the download; the import's own error is told below
    });
  } catch (err) {
    if (!job) throw err;
    job.sourceEnd(false);
    let importError: unknown;
    try {
      job.finish();
    } catch (failure) {
      importError = failure;
    }
    throw importStopped && importError ? importError : err;
  }
  job ??= start(); // an empty bottom layer writes no chunk
  job.sourceEnd(true);
  return job.finish();
}
