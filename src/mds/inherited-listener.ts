// Serving HTTP on a listening socket the service did not open (systemd socket activation
// hands it over as fd 3). Bun.serve cannot adopt a descriptor, node:net can: its
// connections are fed to a node:http server, whose requests are answered by the same
// fetch-style handler Bun.serve uses.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createNetServer } from "node:net";

export type FetchHandler = (req: Request) => Promise<Response>;

export interface InheritedListener {
  stop(): void;
}

/** Starts answering on the listening socket `fd`; resolves once it accepts connections. */
export function serveOnInheritedSocket(fd: number, handler: FetchHandler): Promise<InheritedListener> {
  const http = createHttpServer((req, res) => void answer(handler, req, res));
  const listener = createNetServer((connection) => http.emit("connection", connection));
  return new Promise((resolve, reject) => {
    listener.once("error", (err) => reject(new Error(`listen on inherited fd ${fd}: ${err.message}`)));
    listener.listen({ fd }, () =>
      resolve({
        stop() {
          listener.close();
          http.close();
        },
      }),
    );
  });
}

async function answer(handler: FetchHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(`http://localhost${req.url ?? "/"}`, {
    method: req.method,
    headers: req.headers as Record<string, string>,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
  const response = await handler(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}
