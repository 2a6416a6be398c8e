// The stage1 image of a pod (rkt-internals §5.1): the default one embedded in the binary
// (imported into the store on first use, found by its image ID afterwards) or
// `--stage1-image`, and the entrypoints its manifest's annotations name.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseImageManifest, type ImageManifest } from "../appc";
import type { Store } from "../store";
import embeddedStage1Id from "./embedded-stage1-id";

export type Stage1Entrypoint = "run" | "enter" | "gc";

/** The stage1 manifest annotation that names the entrypoint for `kind`. */
export function entrypointAnnotation(kind: Stage1Entrypoint): string {
  return `coreos.com/rkt/stage1/${kind}`;
}

/** The program a stage1 runs for `kind`, a path inside its rootfs. */
export function stage1Entrypoint(manifest: ImageManifest, kind: Stage1Entrypoint): string {
  const name = entrypointAnnotation(kind);
  const value = manifest.annotations?.find((a) => a.name === name)?.value;
  if (!value) throw new Error(`stage1 image "${manifest.name}" is not a stage1: entrypoint annotation "${name}" not found`);
  return value;
}

/** The stage1 manifest a prepared pod carries (`stage1/manifest`). */
export function readPodStage1Manifest(podPath: string): ImageManifest {
  const path = join(podPath, "stage1", "manifest");
  return parseImageManifest(readFileSync(path, "utf8"), path);
}

/** Fetches a user-chosen stage1; its signature is not checked, as in rkt. */
export type FetchStage1 = (ref: string) => Promise<string>;

/**
 * The key of the pod's stage1 in the store: `--stage1-image` (an image ID prefix, path,
 * name or URL) when given; else the default one, looked up by its image ID first, so a
 * start after the first one imports nothing. By ID, not by name: another image named
 * like it (fetched, or embedded in an older build of the same version) is never the default.
 */
export async function resolveStage1(store: Store, stage1Image: string | undefined, fetchStage1: FetchStage1): Promise<string> {
  if (stage1Image !== undefined) {
    return fetchStage1(stage1Image).catch((err: Error) => {
      throw new Error(`stage1 image ${stage1Image}: ${err.message}`);
    });
  }
  return store.hasImage(embeddedStage1Id) ? embeddedStage1Id : importEmbeddedStage1(store);
}

/**
 * The embedded image lives in the executable's virtual filesystem, which only Bun can
 * read: copy it to a real file for the store's importer.
 */
async function importEmbeddedStage1(store: Store): Promise<string> {
  const { default: embedded } = await import("./embedded-stage1");
  const dir = mkdtempSync(join(store.layout.tmp, "stage1-"));
  try {
    const file = join(dir, "stage1.aci");
    writeFileSync(file, new Uint8Array(await Bun.file(embedded).arrayBuffer()));
    return (await store.importAci(file)).key;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
