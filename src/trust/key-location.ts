// Where `rkt trust` reads a public key from (rkt-cli.md §3.5): a local file, or an
// http(s) URL (http only when allowed).
import { readFileSync } from "node:fs";
import { RKT_VERSION } from "../version";

export interface FetchedKeyData {
  data: Uint8Array;
  /** Came over TLS: with --trust-keys-from-https it is trusted without review. */
  overHttps: boolean;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/** A plain GET with rkt's User-Agent, for key files and key discovery pages. */
export function getWithUserAgent(url: string): Promise<Response> {
  return fetch(url, { headers: { "User-Agent": `rkt/${RKT_VERSION}` } });
}

export async function readKeyLocation(location: string, opts: { allowHttp: boolean }): Promise<FetchedKeyData> {
  const scheme = SCHEME.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) return { data: readKeyFile(location), overHttps: false };
  if (scheme !== "http" && scheme !== "https") throw new Error(`only http and https urls supported (${location})`);
  if (scheme === "http" && !opts.allowHttp) throw new Error("--insecure-allow-http required for http URLs");
  return { data: await downloadKey(location), overHttps: scheme === "https" };
}

function readKeyFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`error opening key file "${path}": ${(err as Error).message}`);
  }
}

async function downloadKey(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await getWithUserAgent(url);
  } catch (err) {
    throw new Error(`error downloading key "${url}": ${(err as Error).message}`);
  }
  if (response.status !== 200) throw new Error(`error downloading key "${url}": bad HTTP status code: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
