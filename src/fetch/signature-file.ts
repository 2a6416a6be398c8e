// A detached signature given as a local file (--signature, or `<image>.aci.asc` beside a
// local image), read whole up to its size limit; a missing file is a one-line error.
import { SIZE_LIMITS } from "../size-limits";
import { readFileBounded } from "../sys";

export function readSignatureFile(path: string): Uint8Array {
  try {
    return readFileBounded(path, SIZE_LIMITS.signature);
  } catch (err) {
    throw new Error(`error opening signature file: ${(err as Error).message}`);
  }
}
