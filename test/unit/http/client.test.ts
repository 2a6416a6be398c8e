// The HTTP door against real servers on loopback: which URLs it follows, and how long it
// waits. Timeouts are set small here; the assertions are on the errors, never on time.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import { httpClient } from "../../../src/http";

let web: ReturnType<typeof Bun.serve>;
const rawServers: Server[] = [];
const openSockets: Socket[] = [];

beforeAll(() => {
  web = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/to-file") return new Response(null, { status: 302, headers: { Location: "file:///etc/hostname" } });
      if (path === "/to-ftp") return new Response(null, { status: 301, headers: { Location: "ftp://127.0.0.1/x.aci" } });
      if (path === "/hop") return new Response(null, { status: 302, headers: { Location: "/target" } });
      if (path === "/target") return new Response(`agent ${req.headers.get("user-agent")}`);
      return new Response("not found", { status: 404 });
    },
  });
});

afterAll(() => {
  web.stop(true);
  for (const socket of openSockets) socket.destroy();
  for (const server of rawServers) server.close();
});

/** A TCP server on 127.0.0.1 that does `onConnection` with each client; resolves to its port. */
async function rawServer(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    openSockets.push(socket);
    socket.on("error", () => {});
    onConnection(socket);
  });
  rawServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

const fast = { timeouts: { responseMs: 300, bodyIdleMs: 300 } };

describe("which URLs the client follows", () => {
  test("follows an http redirect with rkt's User-Agent and reports where it ended", async () => {
    const response = await httpClient(fast)(`http://127.0.0.1:${web.port}/hop`);
    expect(await response.text()).toStartWith("agent rkt/");
    expect(response.finalUrl).toBe(`http://127.0.0.1:${web.port}/target`);
    expect(response.overHttps).toBe(false);
  });

  test("a redirect to a file: URL is refused, the local file unread", async () => {
    const url = `http://127.0.0.1:${web.port}/to-file`;
    await expect(httpClient(fast)(url)).rejects.toThrow(`${url}: refused a redirect to file:///etc/hostname: only http and https URLs are followed`);
  });

  test("a redirect to any other scheme is refused too", async () => {
    await expect(httpClient(fast)(`http://127.0.0.1:${web.port}/to-ftp`)).rejects.toThrow("refused a redirect to ftp://127.0.0.1/x.aci");
  });

  test("a first URL that is not http or https is refused before any request", async () => {
    await expect(httpClient(fast)("file:///etc/hostname")).rejects.toThrow("file:///etc/hostname: not an http or https URL");
  });
});

describe("timeouts", () => {
  test("a server that accepts but never sends a status line fails with the URL after the response timeout", async () => {
    const port = await rawServer(() => {});
    const url = `http://127.0.0.1:${port}/image.aci`;
    await expect(httpClient(fast)(url)).rejects.toThrow(`${url}: no response within 0.3 s (RKT_HTTP_RESPONSE_TIMEOUT sets the limit)`);
  });

  test("a body that trickles a byte every 2 s fails with the URL after the idle timeout", async () => {
    const port = await rawServer((socket) => {
      socket.once("data", () => {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
        const timer = setInterval(() => socket.write("x"), 2000);
        socket.on("close", () => clearInterval(timer));
      });
    });
    const url = `http://127.0.0.1:${port}/image.aci`;
    const response = await httpClient(fast)(url);
    await expect(response.arrayBuffer()).rejects.toThrow(`${url}: no data for 0.3 s (RKT_HTTP_IDLE_TIMEOUT sets the limit)`);
  });

  test("a bad timeout in the environment is a one-line error naming the variable", () => {
    process.env.RKT_HTTP_IDLE_TIMEOUT = "soon";
    try {
      expect(() => httpClient()).toThrow(`RKT_HTTP_IDLE_TIMEOUT="soon" is not a positive number of seconds`);
    } finally {
      delete process.env.RKT_HTTP_IDLE_TIMEOUT;
    }
  });
});
