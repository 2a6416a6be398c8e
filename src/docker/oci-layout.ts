// `oci:DIR[:REF]` (skopeo's spelling): an OCI image layout directory, as `skopeo copy` and
// `podman save --format oci-dir` write it. `oci-layout` must declare version 1.x;
// `index.json` names the images (REF is an `org.opencontainers.image.ref.name`); an image
// index is resolved to this host's linux platform, nested indexes too. Blobs are opened only
// by digest (`blobs/ALG/HEX`, the digest's form checked first, no symlink followed at the
// blob), read no further than their declared size, and checked against their digest;
// manifests, indexes and configs are bounded like the registry's.
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { parseJson } from "../appc";
import { describeLimit, SIZE_LIMITS } from "../size-limits";
import { readFileBounded } from "../sys";
import { archiveReference } from "./archive-reference";
import { checkBytes, checkDigest, digestAlgorithm, digestHex } from "./blob-digest";
import { writeBlobFile } from "./blob-file";
import { saveLayerFiles, type LoadedImage } from "./converted-import";
import { descriptorsOf, hostDockerArch, imageManifestParts, isManifestList, MANIFEST_LISTS, platformEntry, SINGLE_MANIFESTS, type BlobDescriptor, type Descriptor } from "./image-manifest-v2";

export const REF_NAME = "org.opencontainers.image.ref.name";
const CONFIG_TYPES = ["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"];
const LAYER_TYPES = [
  "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.docker.image.rootfs.diff.tar.gzip",
];
/** Indexes within indexes, at most this deep: a loop of indexes ends. */
const MAX_INDEX_DEPTH = 4;

/** Reads the image `refName` (or the only one) of the layout at `dir`, its layers into `scratch`. */
export async function loadOciLayoutImage(dir: string, refName: string | undefined, scratch: string): Promise<LoadedImage> {
  const layout = new LayoutBlobs(dir);
  checkLayoutVersion(dir);
  const entry = chooseEntry(layout.indexJson(), refName, dir);
  const name = refName ?? refNameOf(entry);
  const [manifest, digest] = layout.imageManifest(entry);
  const image = imageManifestParts(manifest, digest, `oci:${dir}${name === undefined ? "" : `:${name}`}`);
  if (!image.config.mediaType || !CONFIG_TYPES.includes(image.config.mediaType)) throw new Error(`config ${image.config.digest} in the image layout ${dir} has media type "${image.config.mediaType ?? ""}", not an image config`);
  const unknownLayer = image.layers.find((layer) => !layer.mediaType || !LAYER_TYPES.includes(layer.mediaType));
  if (unknownLayer) throw new Error(`layer ${unknownLayer.digest} in the image layout ${dir} has media type "${unknownLayer.mediaType ?? ""}", which is not supported (tar or tar+gzip layers only)`);
  return {
    reference: archiveReference(name, dir),
    configBytes: layout.bytes(image.config, SIZE_LIMITS.dockerImageConfig, "image config"),
    configDigest: image.config.digest,
    ...(await saveLayerFiles(image.layers, scratch, (layer, path, onWritten) => layout.save(layer, path, onWritten))),
  };
}

function refNameOf(entry: Descriptor): string | undefined {
  const name: unknown = entry.annotations?.[REF_NAME];
  return typeof name === "string" ? name : undefined;
}

function checkLayoutVersion(dir: string): void {
  const path = join(dir, "oci-layout");
  let version: unknown;
  try {
    version = (parseJson(readFileBounded(path, 4096).toString("utf8"), path) as { imageLayoutVersion?: unknown } | null)?.imageLayoutVersion;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`${dir} is not an OCI image layout: it has no oci-layout file`);
    throw err;
  }
  if (typeof version !== "string" || !/^1\.\d+\.\d+$/.test(version)) throw new Error(`${path}: image layout version "${String(version)}" is not supported (1.x needed)`);
}

/** The entry of index.json named `refName`, or its only entry. */
function chooseEntry(index: Record<string, any>, refName: string | undefined, dir: string): Descriptor {
  const entries = descriptorsOf(index);
  const refs = entries.map(refNameOf).filter((ref): ref is string => ref !== undefined);
  const known = refs.length ? `it has ${refs.map((ref) => `"${ref}"`).join(", ")}` : "it names none";
  if (refName !== undefined) {
    const named = entries.find((entry) => refNameOf(entry) === refName);
    if (!named) throw new Error(`no image "${refName}" in the image layout ${dir} (${known})`);
    return named;
  }
  if (entries.length === 1) return entries[0]!;
  if (!entries.length) throw new Error(`the image layout ${dir} holds no image`);
  throw new Error(`the image layout ${dir} holds ${entries.length} images: name one as oci:${dir}:REF (${known})`);
}

class LayoutBlobs {
  constructor(private readonly dir: string) {}

  indexJson(): Record<string, any> {
    const path = join(this.dir, "index.json");
    let bytes: Uint8Array;
    try {
      bytes = readFileBounded(path, SIZE_LIMITS.dockerManifest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`${this.dir} is not an OCI image layout: it has no index.json`);
      throw err;
    }
    return jsonObject(bytes, path);
  }

  /** The image manifest `entry` leads to (through indexes, for this host's platform), with its digest. */
  imageManifest(entry: Descriptor): [Record<string, any>, string] {
    for (let depth = 0; depth < MAX_INDEX_DEPTH; depth++) {
      const blob = this.descriptor(entry);
      const kind = isManifestList({ mediaType: blob.mediaType }) ? "image index" : "image manifest";
      if (!blob.mediaType || ![...SINGLE_MANIFESTS, ...MANIFEST_LISTS].includes(blob.mediaType)) {
        throw new Error(`${blob.digest} in the image layout ${this.dir} has media type "${blob.mediaType ?? ""}", not an image manifest or index`);
      }
      const document = jsonObject(this.bytes(blob, SIZE_LIMITS.dockerManifest, kind), `${kind} ${blob.digest}`);
      document.mediaType ??= blob.mediaType;
      if (document.mediaType !== blob.mediaType) throw new Error(`${kind} ${blob.digest} in the image layout ${this.dir} says it is "${document.mediaType}"`);
      if (!isManifestList(document)) return [document, blob.digest];
      entry = platformEntry(document, hostDockerArch(), `image index ${blob.digest} of the image layout ${this.dir}`);
    }
    throw new Error(`the image layout ${this.dir} nests image indexes more than ${MAX_INDEX_DEPTH} deep`);
  }

  /** A blob no larger than `limit`, whole, digest-checked. */
  bytes(blob: BlobDescriptor, limit: number, what: string): Uint8Array {
    if (blob.size > limit) throw new Error(`${what} ${blob.digest} in the image layout ${this.dir} is larger than ${describeLimit(limit)}`);
    const fd = this.open(blob);
    try {
      const bytes = Buffer.alloc(blob.size);
      for (let at = 0; at < blob.size; ) {
        const n = readSync(fd, bytes, at, blob.size - at, null);
        if (n === 0) throw new Error(`${this.blobPath(blob)} ended before its ${blob.size} bytes`);
        at += n;
      }
      checkBytes(blob.digest, bytes, this.mismatch());
      return bytes;
    } finally {
      closeSync(fd);
    }
  }

  /** Copies a layer blob to `path`, digest-checked. */
  async save(blob: BlobDescriptor, path: string, onWritten?: () => void): Promise<void> {
    const chunks = createReadStream("", { fd: this.open(blob) });
    checkDigest(blob.digest, await writeBlobFile(chunks, path, blob.size, digestAlgorithm(blob.digest), `layer ${blob.digest}`, onWritten), this.mismatch());
  }

  private descriptor(entry: Descriptor): BlobDescriptor {
    if (!Number.isSafeInteger(entry.size) || entry.size! < 0) throw new Error(`descriptor of ${entry.digest} in the image layout ${this.dir} has no valid size`);
    return entry as BlobDescriptor;
  }

  /** Only `blobs/ALG/HEX`, a regular file of the declared size, not reached through a symlink at the blob. */
  private open(blob: BlobDescriptor): number {
    const path = this.blobPath(blob);
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw new Error(`blob ${blob.digest} is missing from the image layout ${this.dir}`);
      if (code === "ELOOP") throw new Error(`blob ${blob.digest} in the image layout ${this.dir} is a symlink, refused`);
      throw err;
    }
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size !== blob.size) {
      closeSync(fd);
      throw new Error(`blob ${blob.digest} in the image layout ${this.dir} is ${stat.isFile() ? `${stat.size} bytes, not its declared ${blob.size}` : "not a regular file"}`);
    }
    return fd;
  }

  private blobPath(blob: Descriptor): string {
    return join(this.dir, "blobs", digestAlgorithm(blob.digest), digestHex(blob.digest));
  }

  private mismatch(): string {
    return `the image layout ${this.dir} holds other content (refused)`;
  }
}

function jsonObject(bytes: Uint8Array, source: string): Record<string, any> {
  const value = parseJson(new TextDecoder().decode(bytes), source);
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${source} is not a JSON object`);
  return value as Record<string, any>;
}
