// Getting images into the store (rkt-cli.md §2, §2.1): image IDs are looked up in the
// store, files (and file:// URLs) are imported once their signature checks out, http(s)
// URLs go through the remote cache, names through appc discovery, and docker:// URLs,
// docker archives and OCI layouts to the docker module (loaded only then). A fetched
// image's tree is rendered at once, so the first run extracts nothing. Dependencies are
// fetched after the image that names them (dependencies.ts); rendering then finds them in
// the store. The code of signatures, discovery, downloads and credentials is loaded only by
// the branches that need it, so that a start from a stored image loads none of it.
import type { Store } from "../store";
import type { FetchOptions } from "./fetch-options";
import { fetchDependencies } from "./dependencies";
import { classifyImage, type ImageSource } from "./image-source";

export type { FetchOptions } from "./fetch-options";

export interface ImageToFetch {
  ref: string;
  signature?: string;
}

/**
 * Fetches one image and its dependencies and renders it; returns the store key. A failure
 * at any step (a missing dependency, a render refusal) leaves none of the images it imported.
 */
export async function fetchImage(store: Store, ref: string, opts: FetchOptions): Promise<string> {
  return store.asOneUnit(() => fetchAndRender(store, ref, opts));
}

async function fetchAndRender(store: Store, ref: string, opts: FetchOptions): Promise<string> {
  const source = classifyImage(ref);
  const key = await store.importsForRender(() => storeKeyFor(store, ref, source, opts));
  // An image named by ID was fetched with its dependencies when it came into the store.
  if (source.kind !== "id") {
    const dependencyOpts = { ...opts, signature: undefined };
    const { fetchByName } = await import("./remote-source");
    await fetchDependencies(store, key, (depRef, name, labels, findInStore) => fetchByName(store, depRef, name, labels, dependencyOpts, findInStore));
  }
  await store.renderTree(key);
  if (!opts.useRecordedByCaller) store.markImagesUsed([key]);
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

async function storeKeyFor(store: Store, ref: string, source: ImageSource, opts: FetchOptions): Promise<string> {
  switch (source.kind) {
    case "id":
      try {
        return store.resolveKey(source.id);
      } catch (err) {
        throw new Error(`could not resolve key: ${(err as Error).message}`);
      }
    case "file":
      if (opts.insecureSkipVerify) return (await store.importAci(source.path)).key;
      return (await import("./verified-import")).importVerifiedFile(store, source.path, opts);
    case "name":
      return (await import("./remote-source")).fetchByName(store, ref, source.name, source.labels, opts);
    case "archive":
      return (await import("../docker")).importArchiveImage(store, source, opts);
    case "url":
      if (source.scheme === "http" || source.scheme === "https") return (await import("./remote-source")).fetchFromUrl(store, source.url, opts);
      return fetchDockerUrl(store, source.url, opts);
  }
}

async function fetchDockerUrl(store: Store, url: string, opts: FetchOptions): Promise<string> {
  const [{ fetchDockerImage }, { readAuthConfig }] = await Promise.all([import("../docker"), import("./auth-config")]);
  const auth = readAuthConfig(opts.keystore);
  return fetchDockerImage(store, url, { local: opts.local, insecureSkipVerify: opts.insecureSkipVerify, showProgress: opts.showProgress, credentialsFor: auth.dockerCredentials });
}
