// A Docker registry v2 client (distribution API): image manifests (Docker schema 2 and
// OCI, picking this host's platform from a manifest list or index), the config blob, and
// layer blobs streamed to files with their digest (sha256 or sha512) checked. Nothing is
// read past its bound: manifests and configs up to SIZE_LIMITS, blobs up to the size their
// descriptor declares.
import { httpClient, readBoundedBody, saveResponseBody, type BasicCredentials, type HttpResponse } from "../http";
import { SIZE_LIMITS } from "../size-limits";
import { checkBytes, checkDigest, hasherFor } from "./blob-digest";
import { imageManifestParts, isManifestList, MANIFEST_LISTS, platformEntry, SINGLE_MANIFESTS, type BlobDescriptor, type ImageManifestV2 } from "./image-manifest-v2";
import { answerChallenge } from "./registry-auth";
import type { DockerReference } from "./reference";

const REGISTRY_MISMATCH = "the registry sent other content";

export class RegistryClient {
  private authorization: string | undefined;

  constructor(
    private readonly ref: DockerReference,
    private readonly credentials: BasicCredentials | undefined,
  ) {}

  /** The image manifest for the reference's tag; `hostArch` picks from a manifest list. */
  async imageManifest(hostArch: string): Promise<ImageManifestV2> {
    let { manifest, digest } = await this.manifest(this.ref.tag);
    const what = `${this.ref.repository}:${this.ref.tag}`;
    if (isManifestList(manifest)) ({ manifest, digest } = await this.manifest(platformEntry(manifest, hostArch, what).digest));
    return imageManifestParts(manifest, digest, what);
  }

  /** A small blob (the image config), digest-checked. */
  async blobBytes(blob: BlobDescriptor): Promise<Uint8Array> {
    const response = await this.request(`blobs/${blob.digest}`, {});
    const bytes = await readBoundedBody(response, Math.min(SIZE_LIMITS.dockerImageConfig, blob.size), `image config ${blob.digest}`);
    checkBytes(blob.digest, bytes, REGISTRY_MISMATCH);
    return bytes;
  }

  /**
   * Streams a blob to `path` (created, mode 0600), never past its declared size, checking its
   * digest as it goes and calling `onWritten` after each chunk written; with the progress
   * line on a terminal unless `showProgress` is false.
   */
  async saveBlob(blob: BlobDescriptor, path: string, opts: { showProgress?: boolean; onWritten?: () => void } = {}): Promise<void> {
    const response = await this.request(`blobs/${blob.digest}`, {});
    const hasher = hasherFor(blob.digest);
    const onChunk = (chunk: Uint8Array) => {
      hasher.update(chunk);
      opts.onWritten?.();
    };
    try {
      await saveResponseBody(response, path, { what: `layer ${blob.digest}`, limit: blob.size, showProgress: opts.showProgress, onChunk });
    } catch (err) {
      throw new Error(`error downloading layer ${blob.digest}: ${(err as Error).message}`);
    }
    checkDigest(blob.digest, hasher.digest("hex"), REGISTRY_MISMATCH);
  }

  /** The manifest for a tag, or for a digest (then checked against it), with the sha256 digest of its bytes. */
  private async manifest(reference: string): Promise<{ manifest: Record<string, any>; digest: string }> {
    const response = await this.request(`manifests/${reference}`, { Accept: [...SINGLE_MANIFESTS, ...MANIFEST_LISTS].join(", ") });
    const bytes = await readBoundedBody(response, SIZE_LIMITS.dockerManifest, `manifest ${reference}`);
    if (reference.includes(":")) checkBytes(reference, bytes, REGISTRY_MISMATCH);
    const digest = reference.includes(":") ? reference : `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;
    const text = new TextDecoder().decode(bytes);
    let manifest: Record<string, any>;
    try {
      manifest = JSON.parse(text);
    } catch {
      throw new Error(`the registry sent a manifest that is not JSON for ${this.ref.repository}:${reference}`);
    }
    manifest.mediaType ??= response.headers.get("content-type")?.split(";")[0];
    return { manifest, digest };
  }

  /** GET `/v2/<repository>/<path>`, answering an auth challenge once; anything but 200 is an error. */
  private async request(path: string, headers: Record<string, string>): Promise<HttpResponse> {
    const url = `${this.ref.apiBase}/v2/${this.ref.repository}/${path}`;
    let response = await this.get(url, headers, this.authorization);
    const challenge = response.headers.get("www-authenticate");
    if (response.status === 401 && challenge) {
      await response.body?.cancel();
      this.authorization = await answerChallenge(challenge, this.credentials, (u, authorization) => this.get(u, {}, authorization));
      response = await this.get(url, headers, this.authorization);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(statusError(response.status, this.ref, path));
    }
    return response;
  }

  /** GET following redirects; `authorization` goes only to the host of `url` (a blob redirected to storage gets none). */
  private get(url: string, headers: Record<string, string>, authorization: string | undefined): Promise<HttpResponse> {
    const host = new URL(url).host;
    const headersFor = (hop: string): Record<string, string> => (authorization && new URL(hop).host === host ? { Authorization: authorization } : {});
    return httpClient({ headersFor })(url, headers);
  }
}

function statusError(status: number, ref: DockerReference, path: string): string {
  const what = path.startsWith("manifests/") ? `image ${ref.repository}:${ref.tag} on ${ref.registry}` : `blob ${path.slice("blobs/".length)} of ${ref.repository}`;
  if (status === 404) return `${what} not found`;
  if (status === 401 || status === 403) return `access to ${what} denied (HTTP ${status}): check the dockerAuth credentials in auth.d`;
  return `error fetching ${what}: bad HTTP status code: ${status}`;
}
