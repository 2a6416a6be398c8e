// GET requests for images, signatures, discovery pages and Docker registries (rkt-cli.md
// §2.1): rkt's User-Agent, Authorization headers recomputed for every hop of a redirect
// (so auth.d credentials never follow a redirect to another host or to plain http, and a
// registry's token stays with the registry), and TLS checks unless --insecure-skip-verify.
import { RKT_VERSION } from "../version";

export interface HttpClientOptions {
  /** Authorization headers for a URL, asked again at each redirect hop. */
  headersFor: (url: string) => Record<string, string>;
  /** --insecure-skip-verify: accept any TLS certificate. */
  skipTlsVerify: boolean;
}

/** A GET following redirects; its errors start with the URL that failed. */
export type HttpGet = (url: string, headers?: Record<string, string>) => Promise<Response>;

const MAX_REDIRECTS = 10;

export function httpClient(opts: HttpClientOptions): HttpGet {
  return async (url, headers = {}) => {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const response = await sendGet(current, { "User-Agent": `rkt/${RKT_VERSION}`, ...headers, ...opts.headersFor(current) }, opts.skipTlsVerify);
      const location = response.headers.get("location");
      if (response.status < 300 || response.status > 399 || response.status === 304 || location === null) return response;
      await response.body?.cancel();
      current = new URL(location, current).toString();
    }
    throw new Error(`${url}: stopped after ${MAX_REDIRECTS} redirects`);
  };
}

async function sendGet(url: string, headers: Record<string, string>, skipTlsVerify: boolean): Promise<Response> {
  try {
    // The bytes as served: a signature covers the file, not a decoded transfer of it.
    return await fetch(url, { headers: { "Accept-Encoding": "identity", ...headers }, decompress: false, redirect: "manual", tls: { rejectUnauthorized: !skipTlsVerify } });
  } catch (err) {
    throw new Error(`${url}: ${(err as Error).message}`);
  }
}
