// Getting images into the store (rkt-cli.md §2, §2.1). For now every source is local: image
// IDs and names are looked up in the store, files (and file:// URLs) are imported; the
// remote fetchers and signature checks arrive later. A fetched image's tree is rendered
// at once, so the first run extracts nothing; rendering resolves its dependencies (by
// image ID, or by name and labels) in the store and fails if one is missing.
import type { Store } from "../store";
import { classifyImage } from "./image-source";

export interface FetchOptions {
  /** Store only: no discovery, no download (files are still imported). */
  local: boolean;
  insecureSkipVerify: boolean;
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
      if (!opts.insecureSkipVerify) {
        throw new Error(`cannot verify the signature of ${ref}: signature verification is not available yet; pass --insecure-skip-verify to import it unverified`);
      }
      return (await store.importAci(source.path)).key;
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
