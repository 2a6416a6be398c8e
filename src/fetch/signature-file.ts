// A detached signature given as a local file (--signature, or `<image>.aci.asc` beside a
// local image), read whole up to its size limit; a missing file is a one-line error that
// says how to trust or skip.
import { SIZE_LIMITS } from "../size-limits";
import { readFileBounded } from "../sys";
import { unsignedImageError } from "./image-verification";

/** The signature at `path` of the image called `name`. */
export function readSignatureFile(path: string, name: string): Uint8Array {
  try {
    return readFileBounded(path, SIZE_LIMITS.signature);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw unsignedImageError(name, path);
    throw new Error(`error opening signature file: ${(err as Error).message}`);
  }
}
