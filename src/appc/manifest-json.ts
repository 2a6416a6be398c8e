// Manifests as text: compact JSON for files, tab-indented for --pretty-print. The objects
// are written as they are, so fields unknown to us survive.
import { ManifestError } from "./manifest-error";

export function serializeManifest(m: object): string {
  return JSON.stringify(m);
}

export function prettyManifest(m: object): string {
  return JSON.stringify(m, null, "\t");
}

/** Parses JSON text, or passes an already-parsed value through; `source` as for ManifestError. */
export function parseJson(input: string | unknown, source?: string): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input);
  } catch (err) {
    // The engine's own prefix says nothing to a user: `Unexpected identifier "x"` stays.
    const detail = (err as Error).message.replace(/^JSON Parse error: /, "");
    throw new ManifestError([{ path: "", message: `invalid JSON: ${detail}` }], source);
  }
}
