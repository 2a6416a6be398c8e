// A detached signature given as a local file (--signature, or `<image>.aci.asc` beside a
// local image), read whole; a missing file is a one-line error.
import { readFileSync } from "node:fs";

export function readSignatureFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`error opening signature file: ${(err as Error).message}`);
  }
}
