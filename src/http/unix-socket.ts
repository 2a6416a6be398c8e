// HTTP over a local Unix socket: rkt's calls to the metadata service's registration API.
// The response timeout of every other request holds here too, body included, so a service
// that accepts the connection and never answers fails the call instead of hanging `rkt run`.
import { describeTimeout, httpTimeoutsFromEnvironment, RESPONSE_TIMEOUT_VARIABLE, type HttpTimeouts } from "./timeouts";

export interface SocketAnswer {
  status: number;
  ok: boolean;
  text: string;
}

/** Nothing listens on the socket (missing file, refused connection); the message is the reason. */
export class SocketUnreachable extends Error {}

export async function requestOverUnixSocket(
  socketPath: string,
  method: string,
  path: string,
  body?: string,
  timeouts: HttpTimeouts = httpTimeoutsFromEnvironment(),
): Promise<SocketAnswer> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeouts.responseMs);
  let connected = false;
  try {
    const res = await fetch(`http://localhost${path}`, { unix: socketPath, method, body, signal: abort.signal });
    connected = true;
    return { status: res.status, ok: res.ok, text: await res.text() };
  } catch (err) {
    if (abort.signal.aborted) throw new Error(`${socketPath}: ${method} ${path}: no answer within ${describeTimeout(timeouts.responseMs)} (${RESPONSE_TIMEOUT_VARIABLE} sets the limit)`);
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    if (!connected) throw new SocketUnreachable(reason);
    throw new Error(`${socketPath}: ${method} ${path}: ${reason}`);
  } finally {
    clearTimeout(timer);
  }
}

// Run by this same executable as Bun (BUN_BE_BUN) for requestOverUnixSocketSync: argv is
// [socket, method, path]; prints the answer as JSON, or the reason on stderr with exit 1.
const SYNC_REQUEST_SCRIPT = `
const [socketPath, method, path] = process.argv.slice(1);
try {
  const res = await fetch("http://localhost" + path, { unix: socketPath, method });
  console.log(JSON.stringify({ status: res.status, ok: res.ok, text: await res.text() }));
} catch (err) {
  console.error("cannot reach " + socketPath + ": " + (err.code ?? err.message));
  process.exit(1);
}`;

/**
 * requestOverUnixSocket for synchronous callers (gc): Bun has no blocking socket call, so
 * one short-lived child of this executable sends the request, within the response
 * timeout. It runs in `/`, where no bunfig.toml or .env of another user can be read.
 */
export function requestOverUnixSocketSync(socketPath: string, method: string, path: string, timeouts: HttpTimeouts = httpTimeoutsFromEnvironment()): SocketAnswer {
  const proc = Bun.spawnSync([process.execPath, "-e", SYNC_REQUEST_SCRIPT, socketPath, method, path], {
    env: { ...process.env, BUN_BE_BUN: "1" },
    cwd: "/",
    stdin: "ignore",
    timeout: timeouts.responseMs,
  });
  if (proc.exitCode !== 0) throw new Error(proc.stderr.toString().trim() || `${socketPath}: ${method} ${path}: no answer within ${describeTimeout(timeouts.responseMs)} (${RESPONSE_TIMEOUT_VARIABLE} sets the limit)`);
  return JSON.parse(proc.stdout.toString()) as SocketAnswer;
}
