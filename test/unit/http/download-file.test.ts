// Bodies read with a bound, against real servers on loopback: in memory up to a limit,
// to a file up to a declared size and exactly the Content-Length; a failed download leaves
// no file.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { downloadToFile, httpClient, readBoundedBody } from "../../../src/http";

let web: ReturnType<typeof Bun.serve>;
let lying: Server;
let lyingPort: number;
let dir: string;
const get = httpClient({ timeouts: { responseMs: 10_000, bodyIdleMs: 10_000 } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rkt-http-download-"));
  web = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/small") return new Response("0123456789");
      // Streamed: no Content-Length, so only the limit stops it.
      if (path === "/endless") return new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(64 * 1024)) }));
      return new Response("not found", { status: 404 });
    },
  });
  // Declares 5 bytes, then sends a chunked body of 32: the body must not run past its header.
  lying = createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n"));
  });
  await new Promise<void>((resolve) => lying.listen(0, "127.0.0.1", resolve));
  lyingPort = (lying.address() as { port: number }).port;
});

afterAll(() => {
  web.stop(true);
  lying.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("readBoundedBody", () => {
  test("returns a body within its limit", async () => {
    expect(new TextDecoder().decode(await readBoundedBody(await get(`http://127.0.0.1:${web.port}/small`), 10, "token"))).toBe("0123456789");
  });

  test("a declared length over the limit fails before the body is read", async () => {
    const url = `http://127.0.0.1:${web.port}/small`;
    await expect(readBoundedBody(await get(url), 9, "token")).rejects.toThrow(`${url}: the token is larger than 9 bytes`);
  });

  test("an endless body stops at the limit", async () => {
    const url = `http://127.0.0.1:${web.port}/endless`;
    await expect(readBoundedBody(await get(url), 1024 * 1024, "discovery page")).rejects.toThrow(`${url}: the discovery page is larger than 1 MiB`);
  });
});

describe("downloadToFile", () => {
  test("writes the body", async () => {
    const path = join(dir, "small");
    await downloadToFile(await get(`http://127.0.0.1:${web.port}/small`), path, { what: "ACI" });
    expect(readFileSync(path, "utf8")).toBe("0123456789");
  });

  test("a body longer than its Content-Length is an error and leaves no file", async () => {
    const url = `http://127.0.0.1:${lyingPort}/image.aci`;
    const path = join(dir, "lying");
    await expect(downloadToFile(await get(url), path, { what: "ACI" })).rejects.toThrow(`${url}: the ACI is longer than its Content-Length of 5 bytes`);
    expect(existsSync(path)).toBe(false);
  });

  test("a body past its declared size is an error and leaves no file", async () => {
    const url = `http://127.0.0.1:${web.port}/endless`;
    const path = join(dir, "endless");
    await expect(downloadToFile(await get(url), path, { what: "layer sha256:ab", limit: 1000 })).rejects.toThrow(`${url}: the layer sha256:ab is larger than 1000 bytes`);
    expect(existsSync(path)).toBe(false);
  });
});
