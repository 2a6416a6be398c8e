// The remote branches of fetch (rkt-cli.md §2.1): http(s) URLs through the remote cache,
// and names through discovery; with --local, the store alone answers.
import type { Label } from "../appc";
import { httpClient } from "../http";
import type { Store } from "../store";
import { readAuthConfig } from "./auth-config";
import { fetchByDiscovery } from "./discovery-fetch";
import { fetchRemoteAci, type RemoteFetchContext } from "./remote-fetch";
import type { FetchOptions } from "./fetch-options";

export async function fetchFromUrl(store: Store, url: string, opts: FetchOptions): Promise<string> {
  if (opts.local) {
    const cached = store.cachedRemote(url);
    if (!cached) throw new Error(`url ${url} not available in local store`);
    return cached.key;
  }
  return fetchRemoteAci(remoteContext(store, opts), {
    aciUrl: url,
    signature: opts.signature !== undefined ? { kind: "file", path: opts.signature } : { kind: "url", url: signatureUrlFor(url) },
    useCache: true,
    latest: false,
  });
}

/**
 * Fetches a name by discovery; `findInStore` (by default the name with these labels) answers
 * when discovery fails, and alone with --local.
 */
export async function fetchByName(
  store: Store,
  ref: string,
  name: string,
  labels: Label[],
  opts: FetchOptions,
  findInStore = () => store.findImageByName(name, labels),
): Promise<string> {
  if (opts.local) return findInStore();
  return fetchByDiscovery(remoteContext(store, opts), ref, name, labels, { trustKeysFromHttps: opts.trustKeysFromHttps ?? true, signature: opts.signature, findInStore });
}

/** `x.aci` -> `x.aci.asc`; any other URL gets `.aci.asc` appended to its path. */
export function signatureUrlFor(aciUrl: string): string {
  const url = new URL(aciUrl);
  url.pathname = url.pathname.endsWith(".aci") ? `${url.pathname}.asc` : `${url.pathname}.aci.asc`;
  return url.toString();
}

function remoteContext(store: Store, opts: FetchOptions): RemoteFetchContext {
  const auth = readAuthConfig(opts.keystore);
  return {
    store,
    // Only whoever allows plain http may be sent from https to it.
    get: httpClient({ headersFor: auth.headersFor, skipTlsVerify: opts.insecureTls, allowHttpDowngrade: opts.insecureHttp }),
    keystore: opts.keystore,
    insecureSkipVerify: opts.insecureSkipVerify,
    allowHttp: opts.insecureHttp,
    showProgress: opts.showProgress ?? true,
    report: opts.report ?? ((message) => process.stderr.write(message)),
    onSignatureVerified: opts.onSignatureVerified,
  };
}
