// A file server for the fetch e2e tests, started inside the test's network namespace (so
// it can own 127.0.0.1:443 there): TLS on the given ports, plain HTTP on one more. It reads
// `<dir>/routes.json` on every request, so tests change answers between runs, and appends
// every request to `<dir>/requests.log` as a JSON line.
//   bun fetch-https-server.ts DIR CERT KEY HTTP_PORT TLS_PORT...
import { appendFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export interface Route {
  status?: number;
  headers?: Record<string, string>;
  /** Body from a file, else `body`. */
  file?: string;
  body?: string;
  /** Answer 304 to a request with `If-None-Match: <etag>`; sent as ETag otherwise. */
  etag?: string;
  /** Send only this many bytes of the body (the declared length stays), then drop the connection. */
  truncateAt?: number;
  /** Answer 202 until this many requests were made for the route since routes.json was written. */
  acceptedUntil?: number;
}

export interface LoggedRequest {
  port: number;
  pathAndQuery: string;
  headers: Record<string, string | undefined>;
}

const [dir, certFile, keyFile, httpPort, ...tlsPorts] = process.argv.slice(2) as [string, string, string, string, ...string[]];
const seen = new Map<string, number>();
let routesVersion = 0;

function answer(req: Request, port: number): Response {
  const url = new URL(req.url);
  const pathAndQuery = url.pathname + url.search;
  const logged: LoggedRequest = { port, pathAndQuery, headers: Object.fromEntries(req.headers) };
  appendFileSync(join(dir, "requests.log"), `${JSON.stringify(logged)}\n`);
  const routesFile = join(dir, "routes.json");
  if (!existsSync(routesFile)) return new Response("not found", { status: 404 });
  const version = statSync(routesFile).mtimeMs;
  if (version !== routesVersion) seen.clear();
  routesVersion = version;
  const routes: Record<string, Route> = JSON.parse(readFileSync(routesFile, "utf8"));
  const route = routes[`${port}${pathAndQuery}`] ?? routes[pathAndQuery];
  if (!route) return new Response("not found", { status: 404 });
  const count = (seen.get(pathAndQuery) ?? 0) + 1;
  seen.set(pathAndQuery, count);
  if (route.acceptedUntil !== undefined && count < route.acceptedUntil) return new Response("later", { status: 202 });
  const headers = { ...route.headers, ...(route.etag ? { ETag: route.etag } : {}) };
  if (route.etag && req.headers.get("if-none-match") === route.etag) return new Response(null, { status: 304, headers });
  const body = route.file ? readFileSync(route.file) : Buffer.from(route.body ?? "");
  if (route.truncateAt !== undefined) return truncatedResponse(body, route.truncateAt, headers);
  return new Response(body, { status: route.status ?? 200, headers });
}

function truncatedResponse(body: Buffer, sent: number, headers: Record<string, string>): Response {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(body.subarray(0, sent));
      controller.error(new Error("connection dropped by the test server"));
    },
  });
  return new Response(stream, { headers: { ...headers, "Content-Length": String(body.length) } });
}

const tls = { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
for (const port of tlsPorts) Bun.serve({ hostname: "127.0.0.1", port: Number(port), tls, fetch: (req) => answer(req, Number(port)) });
Bun.serve({ hostname: "127.0.0.1", port: Number(httpPort), fetch: (req) => answer(req, Number(httpPort)) });
process.stdout.write("ready\n");
