// The registration API rkt calls over the Unix socket (rkt-internals §9): PUT a pod's
// manifest with its token (and, ours, `ip`: the pod's own address when it has a network
// namespace, else `pid`: the registering process, which becomes its stage1), PUT each
// app's image manifest, DELETE on gc. Who may register is decided by the socket's file
// permissions.
import { PodRegistry, RegistrationError } from "./pod-registry";

function text(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "Content-Type": "text/plain; charset=us-ascii" } });
}

/**
 * Answers one registration request. The answer to a pod's PUT carries the TCP port of
 * the app API (ours; rkt's was empty), so that rkt builds AC_METADATA_URL with the port
 * the service really listens on.
 */
export async function answerRegistration(registry: PodRegistry, appPort: number, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const parts = url.pathname.split("/").filter((p) => p !== "").map(decodeURIComponent);
  if (parts[0] !== "pods" || parts.length < 2 || parts.length > 3) return text("not found\n", 404);
  const [, uuid, app] = parts as [string, string, string | undefined];
  try {
    if (req.method === "PUT" && app === undefined) {
      const caller = { ip: url.searchParams.get("ip") ?? undefined, pid: url.searchParams.get("pid") ?? undefined };
      registry.addPod(uuid, url.searchParams.get("token") ?? "", await req.text(), caller);
      return text(`${appPort}\n`);
    }
    if (req.method === "PUT") {
      registry.addApp(uuid, app!, await req.text());
      return text("");
    }
    if (req.method === "DELETE" && app === undefined) return registry.removePod(uuid) ? text("") : text("pod not found\n", 404);
    return text("method not allowed\n", 405);
  } catch (err) {
    if (err instanceof RegistrationError) return text(`${err.message}\n`, err.status);
    throw err;
  }
}
