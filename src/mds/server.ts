// `rkt metadata-service` (rkt-cli §3.14): the app API on TCP, the registration API on a
// Unix socket (its own, or one inherited through socket activation), one in-memory
// registry and one HMAC key per start.
import { lstatSync, mkdirSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { requestOverUnixSocket, SocketUnreachable } from "../http";
import { answerAppRequest } from "./app-api";
import type { Caller } from "./caller";
import { serveOnInheritedSocket, type FetchHandler } from "./inherited-listener";
import { newHmacKey } from "./hmac";
import { connectionHeldByPod } from "./pod-processes";
import { PodRegistry } from "./pod-registry";
import { answerRegistration } from "./registration-api";

export interface MetadataServiceOptions {
  /** TCP port of the app API; 0 picks a free one. */
  port: number;
  /** Address the app API listens on; all IPv4 addresses by default. */
  hostname?: string;
  /** The Unix socket the service creates for registrations (0600) and removes on stop. */
  socketPath: string;
  /**
   * A listening socket inherited through socket activation: registrations arrive there
   * instead, and `socketPath` is neither created nor removed (it belongs to the activator).
   */
  inheritedFd?: number;
  /** Receives one `METHOD URI - STATUS` line per request. */
  log: (line: string) => void;
}

export interface MetadataService {
  appPort: number;
  /** Stops both listeners and removes the socket it created. */
  stop(): void;
}

function logged<Rest extends unknown[]>(handler: (req: Request, ...rest: Rest) => Promise<Response>, log: (line: string) => void): (req: Request, ...rest: Rest) => Promise<Response> {
  return async (req, ...rest) => {
    let res: Response;
    try {
      res = await handler(req, ...rest);
    } catch (err) {
      res = new Response(`${(err as Error).message}\n`, { status: 500 });
    }
    const url = new URL(req.url);
    log(`${req.method} ${url.pathname}${url.search} - ${res.status}`);
    return res;
  };
}

/** Something listens on the socket (a service that accepts and never answers counts, after the response timeout). */
async function answersOn(socketPath: string): Promise<boolean> {
  try {
    await requestOverUnixSocket(socketPath, "GET", "/");
    return true;
  } catch (err) {
    return !(err instanceof SocketUnreachable);
  }
}

/** Makes room for the socket: its directory (0755), and no stale socket of a dead service. */
async function prepareSocketPath(socketPath: string): Promise<void> {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o755 });
  let isSocket: boolean;
  try {
    isSocket = lstatSync(socketPath).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new Error(`${socketPath} exists and is not a socket`);
  if (await answersOn(socketPath)) throw new Error(`a metadata service already listens on ${socketPath}`);
  unlinkSync(socketPath);
}

export async function startMetadataService(opts: MetadataServiceOptions): Promise<MetadataService> {
  const registry = new PodRegistry();
  const key = newHmacKey();
  if (opts.inheritedFd === undefined) await prepareSocketPath(opts.socketPath);
  const apps = Bun.serve({
    port: opts.port,
    hostname: opts.hostname ?? "0.0.0.0",
    fetch: logged((req: Request, server: Bun.Server<undefined>) => answerAppRequest(registry, key, req, callerOf(req, server)), opts.log),
  });
  const appPort = apps.port!;
  function callerOf(req: Request, server: Bun.Server<undefined>): Caller {
    const remote = server.requestIP(req);
    return {
      address: remote?.address ?? "",
      isProcessOf: (anchor) => remote !== null && connectionHeldByPod(anchor, { address: remote.address, port: remote.port }, appPort),
    };
  }
  const answer = logged((req) => answerRegistration(registry, appPort, req), opts.log);
  let registration: { stop(): void };
  try {
    registration = opts.inheritedFd === undefined ? listenOnNewSocket(opts.socketPath, answer) : await serveOnInheritedSocket(opts.inheritedFd, answer);
  } catch (err) {
    apps.stop(true);
    throw err;
  }
  return {
    appPort,
    stop() {
      apps.stop(true);
      registration.stop();
    },
  };
}

function listenOnNewSocket(socketPath: string, answer: FetchHandler): { stop(): void } {
  // Only root registers pods: the socket is born 0600, with no window of a wider mode.
  const umask = process.umask(0o177);
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({ unix: socketPath, fetch: answer });
  } finally {
    process.umask(umask);
  }
  return {
    stop() {
      server.stop(true);
      try {
        unlinkSync(socketPath);
      } catch {
        // Bun removed it already.
      }
    },
  };
}
