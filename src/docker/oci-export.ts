// `rkt image export --format=oci IMAGE DIR`: a stored image as an OCI image layout that
// skopeo, podman and containerd read (`oci:DIR`). One gzip layer holds the ACI's rootfs
// entries as they are stored (owners, modes, xattrs, hardlinks kept; `rootfs/` taken off
// the names), the config comes from the image manifest (oci-image-config.ts), and index.json
// names the image with `org.opencontainers.image.ref.name`. The layout is written in a
// temporary sibling of DIR and renamed into place: a failure leaves no half layout, and an
// existing DIR must be empty. Images with dependencies are refused: an OCI image cannot name
// them, and their files are not in this image's rootfs.
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { openTarStream, readTar, tarEnd, tarEntry, type ImageManifest } from "../appc";
import type { Store } from "../store";
import { fsyncDir, withTemporary } from "../sys";
import { digestHex, sha256Digest } from "./blob-digest";
import { hostDockerArch, type BlobDescriptor } from "./image-manifest-v2";
import { ociImageConfig } from "./oci-image-config";
import { REF_NAME } from "./oci-layout";

const MEDIA_TYPE = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
};
/** The OCI image-layout grammar of `org.opencontainers.image.ref.name`. */
const COMPONENT = "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*";
const REF_NAME_FORM = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);

/** Writes the image `key` as an OCI layout at `outputDir`, named `refName` (default `NAME:VERSION`, `latest` without a version label). */
export async function exportOciLayout(store: Store, key: string, outputDir: string, refName?: string): Promise<void> {
  const manifest = store.readManifest(key);
  if (manifest.dependencies?.length) throw new Error(`image ${manifest.name} has dependencies, which an OCI image cannot name: export it as an ACI, or build it without dependencies`);
  const ref = refName ?? defaultRefName(manifest);
  if (!REF_NAME_FORM.test(ref)) throw new Error(`"${ref}" is not a valid OCI reference name (letters, digits, and . _ - : @ + between them; try --ref=NAME)`);
  checkOutputDir(outputDir);
  const temp = join(dirname(resolve(outputDir)), `.${basename(outputDir)}.tmp-${process.pid}`);
  await withTemporary(temp, async () => {
    mkdirSync(join(temp, "blobs/sha256"), { recursive: true, mode: 0o755 });
    const { layer, diffId } = await withStoredTar(store, key, (aci) => writeLayer(aci, temp));
    const config = putBlob(temp, JSON.stringify(ociImageConfig(manifest, diffId, hostDockerArch())), MEDIA_TYPE.config);
    const imageManifest = putBlob(temp, JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE.manifest, config, layers: [layer] }), MEDIA_TYPE.manifest);
    writeFileSync(join(temp, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ ...imageManifest, annotations: { [REF_NAME]: ref } }] }));
    writeFileSync(join(temp, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    fsyncDir(join(temp, "blobs/sha256"));
    fsyncDir(temp);
    renameSync(temp, outputDir); // replaces an empty directory, never a non-empty one
  });
}

/** `example.com/app:1.0`: the name as skopeo and podman would call the image. */
function defaultRefName(manifest: ImageManifest): string {
  return `${manifest.name}:${manifest.labels?.find((l) => l.name === "version")?.value ?? "latest"}`;
}

function checkOutputDir(dir: string): void {
  const parent = dirname(resolve(dir));
  if (!existsSync(parent)) throw new Error(`output directory ${parent} does not exist`);
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new Error(`output ${dir} exists and is not a directory`);
  if (readdirSync(dir).length) throw new Error(`output directory ${dir} is not empty (give a new or an empty directory)`);
}

/**
 * Gives `use` the stored image's tar, whatever the store's compression. The file is opened
 * under the image's lock and read through that descriptor: a gc meanwhile cannot take it away.
 */
async function withStoredTar<T>(store: Store, key: string, use: (aci: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T> {
  const fd = store.withImageLock(key, "shared", () => openSync(store.blobPath(key), "r"));
  try {
    return await use((await openTarStream(`/proc/self/fd/${fd}`)).stream);
  } finally {
    closeSync(fd);
  }
}

/** The rootfs entries of the ACI tar `aci` as one gzip layer blob. */
async function writeLayer(aci: AsyncIterable<Uint8Array>, layoutDir: string): Promise<{ layer: BlobDescriptor; diffId: string }> {
  const [{ Readable }, { pipeline }, { createGzip }] = await Promise.all([import("node:stream"), import("node:stream/promises"), import("node:zlib")]);
  const tarHasher = new Bun.CryptoHasher("sha256");
  const gzipHasher = new Bun.CryptoHasher("sha256");
  let size = 0;
  const path = join(layoutDir, "layer.tmp");
  const hashed = async function* (chunks: AsyncIterable<Uint8Array>, hasher: Bun.CryptoHasher) {
    for await (const chunk of chunks) {
      hasher.update(chunk);
      yield chunk;
    }
  };
  await pipeline(
    Readable.from(hashed(rootfsLayer(aci), tarHasher)),
    createGzip(),
    async function* (gzipped: AsyncIterable<Uint8Array>) {
      for await (const chunk of hashed(gzipped, gzipHasher)) {
        size += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(path, { flags: "wx", mode: 0o644 }),
  );
  const hex = gzipHasher.digest("hex");
  renameSync(path, join(layoutDir, "blobs/sha256", hex));
  return { layer: { mediaType: MEDIA_TYPE.layer, digest: `sha256:${hex}`, size }, diffId: `sha256:${tarHasher.digest("hex")}` };
}

/** The ACI's `rootfs/...` entries renamed to the root of a layer; `manifest` and `rootfs` itself left out. */
async function* rootfsLayer(aci: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const entry of readTar(aci)) {
    const name = underRootfs(entry.header.name);
    if (name === undefined) continue;
    const linkname = entry.header.type === "hardlink" ? (underRootfs(entry.header.linkname ?? "") ?? "") : entry.header.linkname;
    yield* tarEntry({ ...entry.header, name, linkname }, entry.header.type === "file" ? entry.body() : undefined);
  }
  yield tarEnd();
}

function underRootfs(name: string): string | undefined {
  const path = name.replace(/^\.?\/+/, "");
  return path.startsWith("rootfs/") && path.length > "rootfs/".length ? path.slice("rootfs/".length) : undefined;
}

/** Writes a JSON blob under its digest; returns its descriptor. */
function putBlob(layoutDir: string, json: string, mediaType: string): BlobDescriptor {
  const bytes = Buffer.from(json);
  const digest = sha256Digest(bytes);
  writeFileSync(join(layoutDir, "blobs/sha256", digestHex(digest)), bytes, { mode: 0o644 });
  return { mediaType, digest, size: bytes.length };
}
