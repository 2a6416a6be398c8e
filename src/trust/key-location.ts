// Where `rkt trust` reads a public key from (rkt-cli.md §3.5): a local file, or an
// http(s) URL (http only when allowed). A key counts as fetched over https, and so may be
// trusted without review, only when every hop of its redirects was https.
import { httpClient, readBoundedBody, type HttpGet } from "../http";
import { SIZE_LIMITS } from "../size-limits";
import { readFileBounded } from "../sys";

export interface FetchedKeyData {
  data: Uint8Array;
  /** Came over TLS to the end: with --trust-keys-from-https it is trusted without review. */
  overHttps: boolean;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/** GETs for key files and key discovery pages: no credentials, https to http only with `allowHttp`. */
export function keyClient(opts: { allowHttp: boolean }): HttpGet {
  return httpClient({ allowHttpDowngrade: opts.allowHttp });
}

export async function readKeyLocation(location: string, opts: { allowHttp: boolean }): Promise<FetchedKeyData> {
  const scheme = SCHEME.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) return { data: readKeyFile(location), overHttps: false };
  if (scheme !== "http" && scheme !== "https") throw new Error(`only http and https urls supported (${location})`);
  if (scheme === "http" && !opts.allowHttp) throw new Error("--insecure-allow-http required for http URLs");
  return downloadKey(location, keyClient(opts));
}

function readKeyFile(path: string): Uint8Array {
  try {
    return readFileBounded(path, SIZE_LIMITS.publicKey);
  } catch (err) {
    throw new Error(`error opening key file "${path}": ${(err as Error).message}`);
  }
}

async function downloadKey(url: string, get: HttpGet): Promise<FetchedKeyData> {
  try {
    const response = await get(url);
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`bad HTTP status code: ${response.status}`);
    }
    const data = await readBoundedBody(response, SIZE_LIMITS.publicKey, "key");
    return { data, overHttps: response.overHttps };
  } catch (err) {
    throw new Error(`error downloading key "${url}": ${(err as Error).message}`);
  }
}
