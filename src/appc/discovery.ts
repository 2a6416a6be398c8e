// appc meta discovery (appc.md §3.4): from an image name to the URLs of its image,
// signature and public keys, by asking `https://<name>?ac-discovery=1` and then each
// parent path. Plain HTTP is tried only when the caller allows it. Pages are read up to
// their size limit, and every URL a page gives must be http or https.
import { isHttpUrl, readBoundedBody, type HttpResponse } from "../http";
import { SIZE_LIMITS } from "../size-limits";
import { parseDiscoveryTags, renderDiscoveryTemplate, type DiscoveryTag } from "./discovery-meta";
import { hostOsArch, labelValue } from "./labels";
import type { Label } from "./types";

export interface ImageEndpoint {
  aci: string;
  signature: string;
}

export interface DiscoveryOptions {
  /** Retry a level over http:// when https:// failed or was not 200. */
  allowHttp: boolean;
  /** Performs a GET, following redirects; throws, naming the URL, when the server cannot be reached. */
  get: (url: string) => Promise<HttpResponse>;
}

/** An app is discovered for this host unless its labels say otherwise. */
export function withHostOsArch(labels: Label[]): Label[] {
  const host = hostOsArch();
  const result = [...labels];
  if (labelValue(labels, "os") === undefined) result.push({ name: "os", value: host.os });
  if (labelValue(labels, "arch") === undefined) result.push({ name: "arch", value: host.arch });
  return result;
}

/** The image endpoints of the first level whose page has a matching `ac-discovery` tag. */
export async function discoverImageEndpoints(name: string, labels: Label[], opts: DiscoveryOptions): Promise<ImageEndpoint[]> {
  const endpoints = await firstLevelWith(name, opts, (tags) =>
    tags
      .filter((tag) => tag.kind === "ac-discovery" && name.startsWith(tag.prefix))
      .flatMap((tag) => {
        const aci = renderDiscoveryTemplate(tag.url, name, labels, "aci");
        const signature = renderDiscoveryTemplate(tag.url, name, labels, "aci.asc");
        return aci !== undefined && signature !== undefined ? [{ aci: httpUrlFrom(tag, aci), signature: httpUrlFrom(tag, signature) }] : [];
      }),
  );
  if (endpoints.length === 0) throw new Error(`no ac-discovery endpoints found for ${name}`);
  return endpoints;
}

/** The key URLs of the first level whose page has a matching `ac-discovery-pubkeys` tag. */
export async function discoverPublicKeys(name: string, opts: DiscoveryOptions): Promise<string[]> {
  return firstLevelWith(name, opts, (tags) => tags.filter((tag) => tag.kind === "ac-discovery-pubkeys" && name.startsWith(tag.prefix)).map((tag) => httpUrlFrom(tag, tag.url)));
}

/** `url`, taken from `tag`, if it is an http or https URL: a page must not send rkt to a local file. */
function httpUrlFrom(tag: DiscoveryTag, url: string): string {
  if (!isHttpUrl(url)) throw new Error(`the ${tag.kind} tag for ${tag.prefix} names ${JSON.stringify(url)}, which is not an http or https URL`);
  return url;
}

async function firstLevelWith<T>(name: string, opts: DiscoveryOptions, pick: (tags: DiscoveryTag[]) => T[]): Promise<T[]> {
  const failures: string[] = [];
  let pagesRead = 0;
  for (const level of discoveryLevels(name)) {
    const page = await fetchDiscoveryPage(level, opts, failures);
    if (page === undefined) continue;
    pagesRead++;
    const found = pick(parseDiscoveryTags(page));
    if (found.length > 0) return found;
  }
  // No page at all: the first failure (for the full name) says why.
  if (pagesRead === 0 && failures.length > 0) throw new Error(failures[0]);
  return [];
}

/** `a.com/b/c`, `a.com/b`, `a.com`. */
export function discoveryLevels(name: string): string[] {
  const parts = name.split("/");
  return parts.map((_, i) => parts.slice(0, parts.length - i).join("/"));
}

async function fetchDiscoveryPage(level: string, opts: DiscoveryOptions, failures: string[]): Promise<string | undefined> {
  for (const scheme of opts.allowHttp ? ["https", "http"] : ["https"]) {
    const url = `${scheme}://${level}?ac-discovery=1`;
    try {
      const response = await opts.get(url);
      if (response.status === 200) return new TextDecoder().decode(await readBoundedBody(response, SIZE_LIMITS.discoveryPage, "discovery page"));
      await response.body?.cancel();
      failures.push(`${url}: bad HTTP status code: ${response.status}`);
    } catch (err) {
      failures.push((err as Error).message); // HttpGet errors name the URL they failed on
    }
  }
  return undefined;
}
