// Authorization for a v2 registry: the first request goes without credentials; a 401
// names the scheme. `Basic` gets the auth.d credentials; `Bearer` sends them (if any) to the
// token service named in the challenge (an http or https URL, nothing else) and uses the
// token it returns; the token service's answer is never echoed into an error.
import { basicAuthorization, isHttpUrl, readBoundedBody, type BasicCredentials, type HttpResponse } from "../http";
import { SIZE_LIMITS } from "../size-limits";

/** A GET that sends `authorization` (if any) only to the URL's own host, not across redirects. */
export type AuthorizedGet = (url: string, authorization: string | undefined) => Promise<HttpResponse>;

/** The Authorization header answering a `WWW-Authenticate` challenge. */
export async function answerChallenge(challenge: string, credentials: BasicCredentials | undefined, get: AuthorizedGet): Promise<string> {
  const scheme = challenge.trim().split(/\s+/, 1)[0]!.toLowerCase();
  const basic = credentials ? basicAuthorization(credentials) : undefined;
  if (scheme === "basic") {
    if (!basic) throw new Error("the registry requires credentials: add a dockerAuth entry in auth.d");
    return basic;
  }
  if (scheme !== "bearer") throw new Error(`unsupported registry authentication scheme "${scheme}"`);
  const params = challengeParams(challenge);
  if (!params.realm) throw new Error("the registry's Bearer challenge names no realm");
  if (!isHttpUrl(params.realm)) throw new Error("the registry's Bearer realm is not an http or https URL");
  const tokenUrl = new URL(params.realm);
  for (const key of ["service", "scope"]) if (params[key]) tokenUrl.searchParams.set(key, params[key]!);
  const response = await get(tokenUrl.toString(), basic);
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`the registry's token service answered ${response.status}`);
  }
  const token = tokenOf(await readBoundedBody(response, SIZE_LIMITS.registryToken, "registry token"));
  if (!token) throw new Error("the registry's token service returned no token");
  return `Bearer ${token}`;
}

function tokenOf(body: Uint8Array): string | undefined {
  let parsed: { token?: unknown; access_token?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new Error("the registry's token service answered with something other than JSON");
  }
  const token = parsed?.token ?? parsed?.access_token;
  return typeof token === "string" && token !== "" ? token : undefined;
}

/** `Bearer realm="...",service="...",scope="..."` -> its key/value pairs. */
function challengeParams(challenge: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of challenge.matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[match[1]!.toLowerCase()] = match[2]!;
  return params;
}
