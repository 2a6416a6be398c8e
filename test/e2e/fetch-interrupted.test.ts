// A download killed with SIGKILL leaves its work directory in `cas/tmp`; the next command
// that opens the store removes it, while a live download's directory is left alone.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { imageManifest, makeTestAci, rkt, rktBinary, tempDir } from "../support/harness";

let work: { path: string; cleanup: () => void };
let server: ReturnType<typeof Bun.serve>;
let aciBytes: Buffer;

beforeAll(() => {
  work = tempDir("rkt-e2e-fetch-killed-");
  aciBytes = readFileSync(makeTestAci(work.path, "big.aci", { manifest: imageManifest("example.com/big"), files: { "data": "x".repeat(1 << 20) }, compression: "none" }));
  // Sends the first half of the image, then stalls until the client goes away.
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(aciBytes.subarray(0, aciBytes.length >> 1));
          },
        }),
        { headers: { "content-length": String(aciBytes.length) } },
      ),
  });
});
afterAll(() => {
  server.stop(true);
  work.cleanup();
});

const workDirs = (dataDir: string) => (existsSync(join(dataDir, "cas/tmp")) ? readdirSync(join(dataDir, "cas/tmp")) : []).filter((name) => name.startsWith("work-"));

/** Starts a fetch from the stalling server and waits until part of the image is on disk. */
async function stalledFetch(dataDir: string): Promise<Bun.Subprocess> {
  const proc = Bun.spawn([rktBinary, `--dir=${dataDir}`, "--insecure-skip-verify", "fetch", `http://127.0.0.1:${server.port}/big.aci`], { stdout: "ignore", stderr: "ignore" });
  const partial = () => workDirs(dataDir).some((dir) => existsSync(join(dataDir, "cas/tmp", dir, "image.aci")) && statSync(join(dataDir, "cas/tmp", dir, "image.aci")).size > 0);
  while (!partial()) {
    if (proc.exitCode !== null) throw new Error(`fetch exited (${proc.exitCode}) before downloading`);
    await Bun.sleep(20);
  }
  return proc;
}

test("the work directory of a killed download is swept by the next image list, a live one is kept", async () => {
  const dataDir = join(work.path, "data");
  const live = await stalledFetch(dataDir);
  try {
    expect(rkt(dataDir, ["image", "list", "--no-legend"])).toMatchObject({ exitCode: 0, stdout: "" });
    expect(workDirs(dataDir)).toHaveLength(1);
  } finally {
    live.kill("SIGKILL");
    await live.exited;
  }
  expect(workDirs(dataDir)).toHaveLength(1);
  expect(rkt(dataDir, ["image", "list", "--no-legend"])).toMatchObject({ exitCode: 0, stdout: "" });
  expect(workDirs(dataDir)).toEqual([]);
});
