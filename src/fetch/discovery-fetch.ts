// Fetching an image by name (rkt-cli.md §2, §2.1): meta discovery of its URLs, automatic
// trust of its HTTPS keys, then the download. A name that cannot be discovered is looked
// up in the store instead (by the caller's rule: a dependency matches differently).
import { discoverImageEndpoints, labelValue, type Label } from "../appc";
import { trustDiscoveredKeys } from "../trust";
import { fetchRemoteAci, type RemoteFetchContext } from "./remote-fetch";

export interface DiscoveryFetchOptions {
  /** --trust-keys-from-https. */
  trustKeysFromHttps: boolean;
  /** --signature: a local file instead of the discovered one. */
  signature?: string;
  /** The image in the store when discovery fails. */
  findInStore: () => string;
}

export async function fetchByDiscovery(ctx: RemoteFetchContext, ref: string, name: string, labels: Label[], opts: DiscoveryFetchOptions): Promise<string> {
  ctx.report(`rkt: searching for app image ${ref}\n`);
  let endpoint;
  try {
    [endpoint] = await discoverImageEndpoints(name, labels, { allowHttp: ctx.allowHttp, get: ctx.get });
  } catch (err) {
    ctx.report(`discovery failed for "${ref}": ${(err as Error).message}. Trying to find image in the store.\n`);
    return opts.findInStore();
  }
  if (!ctx.insecureSkipVerify && opts.trustKeysFromHttps) await trustDiscoveredKeys(name, ctx.keystore, ctx.report);
  const versioned = labelValue(labels, "version") !== undefined;
  return fetchRemoteAci(ctx, {
    aciUrl: endpoint!.aci,
    signature: opts.signature !== undefined ? { kind: "file", path: opts.signature } : { kind: "url", url: endpoint!.signature },
    expectedName: name,
    useCache: versioned,
    latest: !versioned,
  });
}
