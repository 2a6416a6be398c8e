// Getting images into the store (rkt-cli.md §2, §2.1). For now every source is local: image
// IDs and names are looked up in the store, files (and file:// URLs) are imported once
// their signature checks out; the remote fetchers arrive later. A fetched image's tree is
// rendered at once, so the first run extracts nothing; rendering resolves its dependencies
// (by image ID, or by name and labels) in the store and fails if one is missing.
import type { Store } from "../store";
import type { KeystoreDirs } from "../trust";
import { classifyImage } from "./image-source";
import { importVerifiedFile } from "./verified-import";

export interface FetchOptions {
  /** Store only: no discovery, no download (files are still imported). */
  local: boolean;
  /** No signature check, no keystore. */
  insecureSkipVerify: boolean;
  /** Where the trusted keys are (--system-config, --local-config). */
  keystore: KeystoreDirs;
  /** Hears of each good signature: the signer's identities. */
  onSignatureVerified: (identities: string[]) => void;
  /** Detached signature file for this image. */
  signature?: string;
}

export interface ImageToFetch {
  ref: string;
  signature?: string;
}

/** Fetches one image and its dependencies; returns the store key. */
export async function fetchImage(store: Store, ref: string, opts: FetchOptions): Promise<string> {
  const key = await storeKeyFor(store, ref, opts);
  await store.renderTree(key);
  return key;
}

/** Fetches images in order, stopping at the first failure; `onFetched` hears of each success. */
export async function fetchImages(
  store: Store,
  images: ImageToFetch[],
  opts: Omit<FetchOptions, "signature">,
  onFetched: (key: string) => void = () => {},
): Promise<string[]> {
  const keys: string[] = [];
  for (const image of images) {
    keys.push(await fetchImage(store, image.ref, { ...opts, signature: image.signature }));
    onFetched(keys[keys.length - 1]!);
  }
  return keys;
}

async function storeKeyFor(store: Store, ref: string, opts: FetchOptions): Promise<string> {
  const source = classifyImage(ref);
  switch (source.kind) {
    case "id":
      try {
        return store.resolveKey(source.id);
      } catch (err) {
        throw new Error(`could not resolve key: ${(err as Error).message}`);
      }
    case "file":
      if (opts.insecureSkipVerify) return (await store.importAci(source.path)).key;
      return importVerifiedFile(store, source.path, opts);
    case "name":
      try {
        return store.findImageByName(source.name, source.labels);
      } catch (err) {
        if (opts.local) throw err;
        throw new Error(`${(err as Error).message} (discovery of remote images is not available yet)`);
      }
    case "url":
      throw new Error(`fetching ${source.scheme} URLs is not supported yet: ${ref}`);
  }
}
