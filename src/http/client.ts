// The one door for every HTTP request rkt makes (rkt-cli.md §2.1): GETs for images,
// signatures, keys, discovery pages and Docker registries. Redirects are followed here,
// hop by hop, so that each rule holds on every hop:
// - only http: and https: URLs are requested: a URL from a server (redirect, Bearer realm,
//   discovery template, key location) naming file: or anything else is refused unread;
// - a redirect from https to plain http is refused unless the caller allows plain http;
// - Authorization headers are asked for again at each hop (auth.d credentials never follow
//   a redirect to another host or to plain http; a registry's token stays with it);
// - rkt's User-Agent, TLS checks unless --insecure-skip-verify, and the timeouts of
//   timeouts.ts, the body's included.
import { RKT_VERSION } from "../version";
import { describeConnectionFailure } from "./connection-error";
import { BODY_IDLE_TIMEOUT_VARIABLE, describeTimeout, httpTimeoutsFromEnvironment, RESPONSE_TIMEOUT_VARIABLE, type HttpTimeouts } from "./timeouts";

export interface HttpClientOptions {
  /** Authorization headers for a URL, asked again at each redirect hop; none by default. */
  headersFor?: (url: string) => Record<string, string>;
  /** --insecure-skip-verify: accept any TLS certificate. */
  skipTlsVerify?: boolean;
  /** Follow a redirect from https to plain http: only where plain http is allowed anyway. */
  allowHttpDowngrade?: boolean;
  /** From the environment by default. */
  timeouts?: HttpTimeouts;
}

/** A response whose body fails after the idle timeout. */
export interface HttpResponse extends Response {
  /** Where the redirects ended. */
  readonly finalUrl: string;
  /** Every hop, the first to the last, was https: what may be trusted as coming over TLS. */
  readonly overHttps: boolean;
}

/** A GET following redirects; its errors, the body's included, start with the URL that failed. */
export type HttpGet = (url: string, headers?: Record<string, string>) => Promise<HttpResponse>;

const MAX_REDIRECTS = 10;
const NULL_BODY_STATUSES = [101, 204, 205, 304];

/** An absolute http: or https: URL. */
export function isHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

export function httpClient(opts: HttpClientOptions = {}): HttpGet {
  const timeouts = opts.timeouts ?? httpTimeoutsFromEnvironment();
  const headersFor = opts.headersFor ?? (() => ({}));
  return async (url, headers = {}) => {
    if (!isHttpUrl(url)) throw new Error(`${url}: not an http or https URL`);
    let current = url;
    let overHttps = true;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      overHttps &&= new URL(current).protocol === "https:";
      const response = await sendGet(current, { "User-Agent": `rkt/${RKT_VERSION}`, ...headers, ...headersFor(current) }, opts.skipTlsVerify ?? false, timeouts.responseMs);
      const location = response.headers.get("location");
      if (response.status < 300 || response.status > 399 || response.status === 304 || location === null) {
        return Object.assign(withIdleTimeout(response, current, timeouts.bodyIdleMs), { finalUrl: current, overHttps });
      }
      await response.body?.cancel();
      current = redirectTarget(current, location, opts.allowHttpDowngrade ?? false);
    }
    throw new Error(`${url}: stopped after ${MAX_REDIRECTS} redirects`);
  };
}

function redirectTarget(from: string, location: string, allowHttpDowngrade: boolean): string {
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw new Error(`${from}: redirect to an invalid URL: ${location}`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") throw new Error(`${from}: refused a redirect to ${target.href}: only http and https URLs are followed`);
  if (new URL(from).protocol === "https:" && target.protocol === "http:" && !allowHttpDowngrade) {
    throw new Error(`${from}: refused a redirect from https to plain http (${target.href})`);
  }
  return target.href;
}

async function sendGet(url: string, headers: Record<string, string>, skipTlsVerify: boolean, responseMs: number): Promise<Response> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), responseMs);
  try {
    // The bytes as served: a signature covers the file, not a decoded transfer of it.
    return await fetch(url, {
      headers: { "Accept-Encoding": "identity", ...headers },
      decompress: false,
      redirect: "manual",
      tls: { rejectUnauthorized: !skipTlsVerify },
      signal: abort.signal,
    });
  } catch (err) {
    if (abort.signal.aborted) throw new Error(`${url}: no response within ${describeTimeout(responseMs)} (${RESPONSE_TIMEOUT_VARIABLE} sets the limit)`);
    throw new Error(`${url}: ${describeConnectionFailure(url, err as Error)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** `response` with a body that fails, naming `url`, when it stalls for `idleMs`. */
function withIdleTimeout(response: Response, url: string, idleMs: number): Response {
  const body = response.body === null || NULL_BODY_STATUSES.includes(response.status) ? null : idleLimited(response.body, url, idleMs);
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** `source`, failing when no data arrives for `idleMs`; its errors name `url`. */
function idleLimited(source: ReadableStream<Uint8Array>, url: string, idleMs: number): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no data for ${describeTimeout(idleMs)} (${BODY_IDLE_TIMEOUT_VARIABLE} sets the limit)`)), idleMs);
      });
      try {
        const { done, value } = await Promise.race([reader.read(), stalled]);
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        reader.cancel().catch(() => {});
        controller.error(new Error(`${url}: ${(err as Error).message}`));
      } finally {
        clearTimeout(timer);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
