// Manifests as text: compact JSON for files, tab-indented for --pretty-print. The objects
// are written as they are, so fields unknown to us survive.
import { ManifestError } from "./manifest-error";

export function serializeManifest(m: object): string {
  return JSON.stringify(m);
}

export function prettyManifest(m: object): string {
  return JSON.stringify(m, null, "\t");
}

/** Parses JSON text, or passes an already-parsed value through. */
export function parseJson(input: string | unknown): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input);
  } catch (err) {
    throw new ManifestError([{ path: "", message: `invalid JSON: ${(err as Error).message}` }]);
  }
}
