// `docker://` images (rkt-cli.md §4, §2.1): pulled from a Docker registry over the v2 API
// and squashed into one ACI as it is imported into the store. The conversion is
// deterministic, and the remote cache row of `docker://REGISTRY/REPOSITORY:TAG` keeps the image manifest digest
// it was made from (as its etag): a fetch resolves the tag and reuses the stored conversion
// while the digest is the same. --local uses the stored conversion without asking.
// `docker-archive:` and `oci:` images (docker-archive.ts, oci-layout.ts) are local files,
// read and converted by the same path on every fetch, like ACI files are imported.
import type { Store } from "../store";
import type { BasicCredentials } from "../http";
import { SKIP_IMAGE_VERIFICATION_FLAG } from "../insecure-flag-hints";
import { importConverted, saveLayerFiles } from "./converted-import";
import { loadDockerArchiveImage } from "./docker-archive";
import { hostDockerArch, type BlobDescriptor } from "./image-manifest-v2";
import { parseDockerReference, type DockerReference } from "./reference";
import { loadOciLayoutImage } from "./oci-layout";
import { RegistryClient } from "./registry-client";

export { parseDockerReference, type DockerReference } from "./reference";
export { convertImageConfig, type DockerImageConfig } from "./manifest-conversion";
export { exportOciLayout } from "./oci-export";

export interface DockerFetchOptions {
  local: boolean;
  insecureSkipVerify: boolean;
  /** Draw the progress line of layer downloads on a terminal (default true). */
  showProgress?: boolean;
  /** dockerAuth credentials for a registry host (auth.d). */
  credentialsFor: (registry: string) => BasicCredentials | undefined;
}

/** An image in a local file or directory, as skopeo names it: `docker-archive:FILE[:REF]`, `oci:DIR[:REF]`. */
export interface ArchiveImage {
  format: "docker-archive" | "oci";
  path: string;
  ref?: string;
}

function unsigned(kind: string): string {
  return `signature verification for ${kind} images is not supported (try ${SKIP_IMAGE_VERIFICATION_FLAG})`;
}

/** Fetches `ref` (`docker://...`) into the store; returns the store key. */
export async function fetchDockerImage(store: Store, ref: string, opts: DockerFetchOptions): Promise<string> {
  if (!opts.insecureSkipVerify) throw new Error(unsigned("docker"));
  const reference = parseDockerReference(ref);
  const source = sourceUrl(reference);
  const cached = store.cachedRemote(source);
  if (opts.local) {
    if (!cached) throw new Error(`url ${ref} not available in local store`);
    return cached.key;
  }
  const client = new RegistryClient(reference, opts.credentialsFor(reference.registry));
  const image = await client.imageManifest(hostDockerArch());
  if (cached?.etag === image.digest) return cached.key;
  const key = await importConverted(store, async (scratch) => ({
    reference,
    configBytes: await client.blobBytes(image.config),
    configDigest: image.config.digest,
    ...(await saveLayerFiles(image.layers, scratch, (layer, path, onWritten) => client.saveBlob(layer, path, { showProgress: opts.showProgress, onWritten }))),
  }));
  store.index.putRemote({ aciUrl: source, sigUrl: "", etag: image.digest, key, cacheMaxAge: 0, downloadTime: new Date() });
  return key;
}

/** Converts the image of a docker archive or an OCI layout into the store; returns the store key. */
export async function importArchiveImage(store: Store, image: ArchiveImage, opts: { insecureSkipVerify: boolean }): Promise<string> {
  if (!opts.insecureSkipVerify) throw new Error(unsigned(image.format));
  const load = image.format === "oci" ? loadOciLayoutImage : loadDockerArchiveImage;
  return importConverted(store, (scratch) => load(image.path, image.ref, scratch));
}

/** The remote cache's name for an image: its reference spelled out, so `busybox` and `docker://index.docker.io/library/busybox:latest` share a row. */
function sourceUrl(reference: DockerReference): string {
  return `docker://${reference.registry}/${reference.repository}:${reference.tag}`;
}
