// `docker://` images (rkt-cli.md §4, §2.1): pulled from a Docker registry over the v2 API
// and squashed into one ACI, imported into the store. The remote cache is keyed by the
// `docker://` string but has no freshness, so only --local reuses a stored conversion.
import { join } from "node:path";
import { hostOsArch, serializeImageManifest, writeAciFile } from "../appc";
import { WorkDir, type Store } from "../store";
import type { BasicCredentials } from "../http";
import { parseImageConfig } from "./image-config";
import { convertImageConfig } from "./manifest-conversion";
import { parseDockerReference } from "./reference";
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
  if (opts.local) {
    const cached = store.cachedRemote(ref);
    if (!cached) throw new Error(`url ${ref} not available in local store`);
    return cached.key;
  }
  const reference = parseDockerReference(ref);
  const client = new RegistryClient(reference, opts.credentialsFor(reference.registry));
  const image = await client.imageManifest(DOCKER_ARCH[process.arch] ?? hostOsArch().arch);
  const config = parseImageConfig(await client.blobBytes(image.config), image.config.digest);
  const manifest = convertImageConfig(reference, config, image.config.digest);
  const work = WorkDir.create(store.layout.tmp);
  try {
    const layerFiles: string[] = [];
    for (const [n, layer] of image.layers.entries()) {
      const path = join(work.path, `layer-${n}`);
      await client.saveBlob(layer, path);
      layerFiles.push(path);
    }
    const aciPath = join(work.path, "image.aci");
    await writeAciFile(aciPath, store.withinReserve(squashedAci(serializeImageManifest(manifest), layerFiles)), { compress: false, overwrite: false });
    const { key } = await store.importAci(aciPath);
    store.index.putRemote({ aciUrl: ref, sigUrl: "", etag: "", key, cacheMaxAge: 0, downloadTime: new Date() });
    return key;
  } finally {
    work.remove();
  }
}
