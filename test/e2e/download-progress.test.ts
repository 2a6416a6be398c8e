// The download progress line on a terminal (script(1) gives rkt one): size, rate and time
// left, redrawn by time and not per chunk, and silenced by prepare --quiet. A server on
// 127.0.0.1 sends a 24 MiB image in 1 MiB pieces, one every 50 ms, so that the download
// lasts about a second and a half whatever the machine's speed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { imageManifest, makeTestAci, rktBinary, tempDataDir, tempDir } from "../support/harness";

const PIECE = 1024 * 1024;
const PIECE_INTERVAL_MS = 50;
/** The most redraws a download of `seconds` may show: ten a second, the first, and the final one. */
const mostRedraws = (seconds: number) => Math.floor(seconds * 10) + 2;

let work: { path: string; cleanup: () => void };
let data: { path: string; cleanup: () => void };
let server: Server;
let baseUrl: string;
let image: Uint8Array;

beforeAll(async () => {
  work = tempDir("rkt-e2e-progress-");
  data = tempDataDir("rkt-e2e-progress-data-");
  const randomFile = join(work.path, "random");
  writeFileSync(randomFile, randomBytes(24 * PIECE));
  const manifest = imageManifest("example.com/big", { app: { exec: ["/random"], user: "0", group: "0" } });
  image = readFileSync(makeTestAci(work.path, "big.aci", { manifest, copies: { random: randomFile }, compression: "none" }));
  server = createServer((req, res) => {
    if (!req.url?.endsWith(".aci")) return void res.writeHead(404).end();
    res.writeHead(200, { "Content-Length": String(image.length) });
    const sendFrom = (offset: number): void => {
      if (offset >= image.length) return void res.end();
      res.write(image.subarray(offset, offset + PIECE));
      setTimeout(() => sendFrom(offset + PIECE), PIECE_INTERVAL_MS);
    };
    sendFrom(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server?.close();
  data?.cleanup();
  work.cleanup();
});

/** Runs dist/rkt on a terminal of its own; returns what the terminal showed and how long it took. */
async function onTerminal(args: string[]): Promise<{ exitCode: number; shown: string; seconds: number }> {
  const command = [rktBinary, `--dir=${data.path}`, ...args].map((arg) => `'${arg}'`).join(" ");
  const started = performance.now();
  const proc = Bun.spawn(["script", "-qec", command, "/dev/null"], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const shown = await new Response(proc.stdout).text();
  const exitCode = await proc.exited;
  return { exitCode, shown, seconds: (performance.now() - started) / 1000 };
}

describe("the download progress line", () => {
  test("shows size, rate and time left, redrawn at most ten times a second", async () => {
    const url = `${baseUrl}/big.aci`;
    const r = await onTerminal(["--insecure-skip-verify", "fetch", url]);
    expect(r.exitCode).toBe(0);
    const redraws = r.shown.split("Downloading ACI: ").length - 1;
    expect(redraws).toBeGreaterThanOrEqual(2);
    expect(redraws).toBeLessThanOrEqual(mostRedraws(r.seconds));
    expect(r.shown).toMatch(/Downloading ACI: \[=* *\] [\d.]+ MB\/25\.17 MB {2}[\d.]+ MB\/s {2}ETA \d+s/);
    expect(r.shown).toMatch(/Downloading ACI: \[={40}\] 25\.17 MB\/25\.17 MB {2}[\d.]+ MB\/s\x1b\[K\r?\n/);
  });

  test("is not shown by prepare --quiet, whose terminal shows the pod's UUID alone", async () => {
    const url = `${baseUrl}/quiet/big.aci`;
    const r = await onTerminal(["--insecure-skip-verify", "prepare", "--quiet", url]);
    expect(r).toMatchObject({ exitCode: 0, shown: expect.stringMatching(/^[0-9a-f-]{36}\r?\n$/) });
  });
});
