// The API apps call (appc.md §7.2): `/<token>/acMetadata/v1/...`. The token in the path
// names the pod; the answer goes only to a caller that is that pod (caller.ts).
import { callerIsPod, type Caller } from "./caller";
import { isACIdentifier, isUuid, serializeImageManifest, serializePodManifest, type Annotation } from "../appc";
import { signForPod, verifyForPod } from "./hmac";
import type { PodRegistry, RegisteredPod } from "./pod-registry";

const METADATA_FLAVOR_HEADER = "Metadata-Flavor";
const METADATA_FLAVOR = "AppContainer";
const API_PREFIX = "acMetadata/v1/";

function text(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "Content-Type": "text/plain; charset=us-ascii" } });
}

function json(body: string): Response {
  return new Response(body, { headers: { "Content-Type": "application/json" } });
}

/** Names one per line; the value of `rest` (a name, or "" for the list). */
function annotationResponse(annotations: readonly Annotation[], rest: string): Response {
  if (rest === "") return text(annotations.map((a) => `${a.name}\n`).join(""));
  if (!isACIdentifier(rest)) return text(`"${rest}" is not an AC identifier\n`, 400);
  const found = annotations.find((a) => a.name === rest);
  return found ? text(found.value) : text(`annotation "${rest}" not found\n`, 404);
}

/** The image's annotations with the pod manifest's per-app ones over them. */
function mergedAppAnnotations(pod: RegisteredPod, appName: string): Annotation[] {
  const merged = (pod.apps.get(appName)?.annotations ?? []).map((a) => ({ ...a }));
  const runtimeApp = pod.manifest.apps.find((a) => a.name === appName);
  for (const a of runtimeApp?.annotations ?? []) {
    const existing = merged.find((m) => m.name === a.name);
    if (existing) existing.value = a.value;
    else merged.push({ ...a });
  }
  return merged;
}

async function formOf(req: Request): Promise<URLSearchParams> {
  const type = req.headers.get("Content-Type") ?? "";
  if (type.startsWith("multipart/form-data")) {
    const form = await req.formData();
    const params = new URLSearchParams();
    for (const [name, value] of form) if (typeof value === "string") params.append(name, value);
    return params;
  }
  return new URLSearchParams(await req.text());
}

async function hmacResponse(pod: RegisteredPod, key: Buffer, action: string, req: Request): Promise<Response> {
  if (action !== "sign" && action !== "verify") return text("not found\n", 404);
  if (req.method !== "POST") return text("method not allowed\n", 405);
  const form = await formOf(req);
  const content = form.get("content") ?? "";
  if (content === "") return text("content is empty\n", 400);
  if (action === "sign") return text(signForPod(key, pod.uuid, content));
  // The spec names the field `uuid`; rkt and the ACE validator send `uid`.
  const uuid = form.get("uuid") ?? form.get("uid") ?? "";
  if (!isUuid(uuid)) return text("uuid is missing or malformed\n", 400);
  const signature = form.get("signature") ?? "";
  if (signature === "") return text("signature is missing\n", 400);
  return verifyForPod(key, uuid, content, signature) ? text("") : text("signature does not match\n", 403);
}

function podResponse(pod: RegisteredPod, rest: string): Response {
  if (rest === "manifest") return json(serializePodManifest(pod.manifest));
  if (rest === "uuid") return text(pod.uuid);
  if (rest.startsWith("annotations/")) return annotationResponse(pod.manifest.annotations ?? [], rest.slice("annotations/".length));
  return text("not found\n", 404);
}

function appResponse(pod: RegisteredPod, rest: string): Response {
  const slash = rest.indexOf("/");
  if (slash <= 0) return text("not found\n", 404);
  const appName = decodeURIComponent(rest.slice(0, slash));
  const what = rest.slice(slash + 1);
  const runtimeApp = pod.manifest.apps.find((a) => a.name === appName);
  if (!runtimeApp) return text(`app "${appName}" not found\n`, 404);
  if (what.startsWith("annotations/")) return annotationResponse(mergedAppAnnotations(pod, appName), what.slice("annotations/".length));
  if (what === "image/id") return text(runtimeApp.image.id);
  if (what === "image/manifest") {
    const image = pod.apps.get(appName);
    return image ? json(serializeImageManifest(image)) : text(`image manifest of app "${appName}" not registered\n`, 404);
  }
  return text("not found\n", 404);
}

/** Answers one request of an app; `key` is the service's HMAC key. */
export async function answerAppRequest(registry: PodRegistry, key: Buffer, req: Request, caller: Caller): Promise<Response> {
  // rkt answers 404 to a request without the header, as if nothing were there.
  if (req.headers.get(METADATA_FLAVOR_HEADER) !== METADATA_FLAVOR) return text(`${METADATA_FLAVOR_HEADER} header missing or wrong\n`, 404);
  const path = new URL(req.url).pathname;
  const match = /^\/([^/]+)\/(.*)$/.exec(path);
  if (!match) return text("not found\n", 404);
  const pod = registry.byPodToken(match[1]!);
  if (!pod) return text("unknown pod token\n", 401);
  if (!callerIsPod(pod, caller)) return text("this pod token is answered only to its own pod\n", 403);
  const route = match[2]!;
  if (!route.startsWith(API_PREFIX)) return text("not found\n", 404);
  const rest = route.slice(API_PREFIX.length);
  if (rest.startsWith("pod/hmac/")) return hmacResponse(pod, key, rest.slice("pod/hmac/".length), req);
  if (req.method !== "GET") return text("method not allowed\n", 405);
  if (rest.startsWith("pod/")) return podResponse(pod, rest.slice("pod/".length));
  if (rest.startsWith("apps/")) return appResponse(pod, rest.slice("apps/".length));
  return text("not found\n", 404);
}
