// Image manifests and indexes of the Docker schema 2 and OCI formats, wherever they come
// from (a registry, an OCI image layout): this host's platform chosen from an index, and
// an image manifest checked down to what the conversion needs (a config and layers, each
// with the size that bounds its read, no zstd).
import { hostOsArch } from "../appc";

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string };
  annotations?: Record<string, string>;
}

/** The config and the layers of an image: their size bounds their read. */
export interface BlobDescriptor extends Descriptor {
  size: number;
}

export interface ImageManifestV2 {
  /** The digest of this platform's image manifest: what the tag resolved to. */
  digest: string;
  config: BlobDescriptor;
  layers: BlobDescriptor[];
}

export const SINGLE_MANIFESTS = ["application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json"];
export const MANIFEST_LISTS = ["application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.index.v1+json"];

/** Docker architecture names by Node's `process.arch`. */
const DOCKER_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x" };

export function hostDockerArch(): string {
  return DOCKER_ARCH[process.arch] ?? hostOsArch().arch;
}

export function isManifestList(manifest: Record<string, any>): boolean {
  return MANIFEST_LISTS.includes(manifest.mediaType);
}

/** The linux/`hostArch` entry of a manifest list or image index; `what` names the image. */
export function platformEntry(index: Record<string, any>, hostArch: string, what: string): Descriptor {
  const entries = descriptorsOf(index);
  const chosen = entries.find((m) => m.platform?.os === "linux" && m.platform.architecture === hostArch);
  if (!chosen) throw new Error(`no linux/${hostArch} image in ${what}`);
  return chosen;
}

/** The `manifests` of an index that are descriptors (objects with a digest); the rest cannot be chosen. */
export function descriptorsOf(index: Record<string, any>): Descriptor[] {
  const entries: unknown[] = Array.isArray(index.manifests) ? index.manifests : [];
  return entries.filter((entry): entry is Descriptor => typeof entry === "object" && entry !== null && typeof (entry as Descriptor).digest === "string");
}

/** The config and layers of the image manifest `manifest` (whose bytes have `digest`). */
export function imageManifestParts(manifest: Record<string, any>, digest: string, what: string): ImageManifestV2 {
  if (!SINGLE_MANIFESTS.includes(manifest.mediaType) && manifest.config === undefined) {
    throw new Error(`unsupported manifest type "${manifest.mediaType}" for ${what} (schema 2 or OCI needed)`);
  }
  if (!manifest.config?.digest || !Array.isArray(manifest.layers) || ![manifest.config, ...manifest.layers].every(hasSize)) {
    throw new Error(`malformed image manifest for ${what}`);
  }
  const zstd = (manifest.layers as Descriptor[]).find((layer) => layer.mediaType?.includes("zstd"));
  if (zstd) throw new Error(`layer ${zstd.digest} is zstd-compressed, which is not supported (gzip or uncompressed layers only)`);
  return { digest, config: manifest.config, layers: manifest.layers };
}

/** A descriptor's size bounds its read: it must be a byte count. */
function hasSize(descriptor: Descriptor): descriptor is BlobDescriptor {
  return Number.isSafeInteger(descriptor.size) && descriptor.size! >= 0;
}
