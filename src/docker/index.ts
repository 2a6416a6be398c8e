// `docker://` images (rkt-cli.md §4, §2.1): pulled from a Docker registry over the v2 API
// and squashed into one ACI, imported into the store. The conversion is deterministic, and
// the remote cache row of `docker://REGISTRY/REPOSITORY:TAG` keeps the image manifest digest
// it was made from (as its etag): a fetch resolves the tag and reuses the stored conversion
// while the digest is the same. --local uses the stored conversion without asking.
import { join } from "node:path";
import { hostOsArch, serializeImageManifest, writeAciFile } from "../appc";
import { WorkDir, type Store } from "../store";
import type { BasicCredentials } from "../http";
import { parseImageConfig } from "./image-config";
import { convertImageConfig, creationTime } from "./manifest-conversion";
import { parseDockerReference, type DockerReference } from "./reference";
import { RegistryClient } from "./registry-client";
import { squashedAci } from "./squash";

export { parseDockerReference, type DockerReference } from "./reference";
export { convertImageConfig, type DockerImageConfig } from "./manifest-conversion";
export { squashedAci } from "./squash";

export interface DockerFetchOptions {
  local: boolean;
  insecureSkipVerify: boolean;
  /** dockerAuth credentials for a registry host (auth.d). */
  credentialsFor: (registry: string) => BasicCredentials | undefined;
}

/** Docker architecture names by Node's `process.arch`. */
const DOCKER_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x" };

/** Fetches `ref` (`docker://...`) into the store; returns the store key. */
export async function fetchDockerImage(store: Store, ref: string, opts: DockerFetchOptions): Promise<string> {
  if (!opts.insecureSkipVerify) throw new Error("signature verification for docker images is not supported (try --insecure-skip-verify)");
  const reference = parseDockerReference(ref);
  const source = sourceUrl(reference);
  const cached = store.cachedRemote(source);
  if (opts.local) {
    if (!cached) throw new Error(`url ${ref} not available in local store`);
    return cached.key;
  }
  const client = new RegistryClient(reference, opts.credentialsFor(reference.registry));
  const image = await client.imageManifest(DOCKER_ARCH[process.arch] ?? hostOsArch().arch);
  if (cached?.etag === image.digest) return cached.key;
  const config = parseImageConfig(await client.blobBytes(image.config), image.config.digest);
  const manifest = convertImageConfig(reference, config, image.config.digest);
  const mtime = Math.floor((creationTime(config)?.getTime() ?? 0) / 1000);
  const work = WorkDir.create(store.layout.tmp);
  try {
    const layerFiles: string[] = [];
    for (const [n, layer] of image.layers.entries()) {
      const path = join(work.path, `layer-${n}`);
      await client.saveBlob(layer, path);
      layerFiles.push(path);
    }
    const aciPath = join(work.path, "image.aci");
    await writeAciFile(aciPath, store.withinReserve(squashedAci(serializeImageManifest(manifest), layerFiles, mtime)), { compress: false, overwrite: false });
    const { key } = await store.importAci(aciPath, { scratch: true });
    store.index.putRemote({ aciUrl: source, sigUrl: "", etag: image.digest, key, cacheMaxAge: 0, downloadTime: new Date() });
    return key;
  } finally {
    work.remove();
  }
}

/** The remote cache's name for an image: its reference spelled out, so `busybox` and `docker://index.docker.io/library/busybox:latest` share a row. */
function sourceUrl(reference: DockerReference): string {
  return `docker://${reference.registry}/${reference.repository}:${reference.tag}`;
}
