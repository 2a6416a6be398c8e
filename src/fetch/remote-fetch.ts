// Downloading one ACI from a URL into the store (rkt-cli.md §2.1, rkt-internals.md §2.3):
// the remote cache first (fresh entries are used without a request, stale ones are
// revalidated with If-None-Match), then the signature, then the image streamed to a
// private work directory in `cas/tmp`, verified there, and only then imported. A failure
// or a kill at any point leaves the store as it was.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readAciManifest } from "../appc";
import { saveResponseBody, type HttpGet, type HttpResponse } from "../http";
import { SIZE_LIMITS } from "../size-limits";
import { WorkDir, type Store } from "../store";
import { signatureVerifiedMessage, type KeystoreDirs } from "../trust";
import { cacheMaxAge } from "./cache-control";
import { checkImageSignerTrusted, unsignedImageError, verifyImageSignature } from "./image-verification";
import { readSignatureFile } from "./signature-file";

export interface RemoteFetchContext {
  store: Store;
  get: HttpGet;
  keystore: KeystoreDirs;
  insecureSkipVerify: boolean;
  /** Plain-http discovery pages allowed. */
  allowHttp: boolean;
  /** Draw the progress line of downloads on a terminal. */
  showProgress: boolean;
  /** Informational lines for stderr. */
  report: (message: string) => void;
  onSignatureVerified: (message: string) => void;
}

export type SignatureSource = { kind: "url"; url: string } | { kind: "file"; path: string };

export interface RemoteImage {
  aciUrl: string;
  /** Ignored with --insecure-skip-verify. */
  signature: SignatureSource;
  /** The discovered name: the manifest must carry it, and its keys verify the image. */
  expectedName?: string;
  /** Consult the remote cache (false for discovery without a version: always download). */
  useCache: boolean;
  /** Mark the image as the latest of its name (discovery without a version). */
  latest: boolean;
}

const SIGNATURE_DEFERRED = 202;

export async function fetchRemoteAci(ctx: RemoteFetchContext, image: RemoteImage): Promise<string> {
  const { store } = ctx;
  const cached = image.useCache ? store.cachedRemote(image.aciUrl) : undefined;
  if (cached && Date.now() - cached.downloadTime.getTime() < cached.cacheMaxAge * 1000) {
    ctx.report("rkt: found image in local store, skipping fetching from URL\n");
    return cached.key;
  }
  const work = WorkDir.create(store.layout.tmp);
  try {
    const signaturePath = join(work.path, "signature");
    // A discovered image's signer is checked before its body is downloaded; a URL's name is known only after.
    const signature = ctx.insecureSkipVerify ? undefined : image.expectedName !== undefined ? await firstSignature(ctx, image.signature, image.expectedName, signaturePath) : "later";
    const aciResponse = await download(ctx.get, "ACI", image.aciUrl, cached?.etag ? { "If-None-Match": cached.etag } : {});
    const remote = { aciUrl: image.aciUrl, sigUrl: image.signature.kind === "url" ? image.signature.url : "", downloadTime: new Date() };
    if (aciResponse.status === 304 && cached) {
      store.index.putRemote({ ...remote, etag: cached.etag, key: cached.key, cacheMaxAge: cacheMaxAge(aciResponse.headers.get("cache-control")) });
      return cached.key;
    }
    if (aciResponse.status !== 200) throw downloadError("ACI", aciResponse.status);
    const aciPath = join(work.path, "image.aci");
    // No bound but Content-Length: an image may be large.
    await saveBody(ctx, aciResponse, aciPath, "ACI");
    const { name } = await readAciManifest(aciPath);
    if (image.expectedName !== undefined && name !== image.expectedName) {
      throw new Error(`error when reading the app name: "${image.expectedName}" expected but "${name}" found`);
    }
    if (signature) {
      const signer = image.expectedName ?? name;
      const signatureBytes = signature instanceof Uint8Array ? signature : await laterSignature(ctx, image.signature, signer, signaturePath);
      ctx.onSignatureVerified(signatureVerifiedMessage(await verifyImageSignature(ctx.keystore, signer, Bun.file(aciPath).stream(), signatureBytes)));
    }
    const { key } = await store.importAci(aciPath, { latest: image.latest, scratch: true });
    store.index.putRemote({ ...remote, etag: aciResponse.headers.get("etag") ?? "", key, cacheMaxAge: cacheMaxAge(aciResponse.headers.get("cache-control")) });
    return key;
  } finally {
    work.remove();
  }
}

/**
 * A discovered image's signature, before the image: its signer must already be trusted.
 * `deferred` when the server answered 202 (not ready yet).
 */
async function firstSignature(ctx: RemoteFetchContext, source: SignatureSource, name: string, path: string): Promise<Uint8Array | "deferred"> {
  if (source.kind === "file") return readSignatureFile(source.path, name);
  ctx.report(`Downloading signature from ${source.url}\n`);
  const response = await download(ctx.get, "signature", source.url);
  if (response.status === SIGNATURE_DEFERRED) {
    await response.body?.cancel();
    ctx.report("rkt: server requested deferring the signature download\n");
    return "deferred";
  }
  const signature = await savedSignature(ctx, response, source.url, name, path);
  await checkImageSignerTrusted(ctx.keystore, name, signature);
  return signature;
}

/** The signature once the image is downloaded: a URL's, or a discovered one the server deferred. */
async function laterSignature(ctx: RemoteFetchContext, source: SignatureSource, name: string, path: string): Promise<Uint8Array> {
  if (source.kind === "file") return readSignatureFile(source.path, name);
  ctx.report(`Downloading signature from ${source.url}\n`);
  return savedSignature(ctx, await download(ctx.get, "signature", source.url), source.url, name, path);
}

/** The signature of the image called `name`, answered from `url`; a 404 means the image is unsigned. */
async function savedSignature(ctx: RemoteFetchContext, response: HttpResponse, url: string, name: string, path: string): Promise<Uint8Array> {
  if (response.status === 404) throw unsignedImageError(name, url);
  if (response.status !== 200) throw downloadError("signature", response.status);
  await saveBody(ctx, response, path, "signature", SIZE_LIMITS.signature);
  return readFileSync(path);
}

async function download(get: HttpGet, what: string, url: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  try {
    return await get(url, headers);
  } catch (err) {
    throw new Error(`error downloading ${what}: ${(err as Error).message}`);
  }
}

/** A connection lost mid-body is a one-line download error too; body errors name the URL. */
async function saveBody(ctx: RemoteFetchContext, response: HttpResponse, path: string, what: string, limit?: number): Promise<void> {
  try {
    await saveResponseBody(response, path, { what, limit, showProgress: ctx.showProgress });
  } catch (err) {
    throw new Error(`error downloading ${what}: ${(err as Error).message}`);
  }
}

function downloadError(what: string, status: number): Error {
  return new Error(`error downloading ${what}: bad HTTP status code: ${status}`);
}
