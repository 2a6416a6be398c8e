// gzip in-process: fflate (the design card's package, pure JavaScript) against node:zlib
// (Bun's, native zlib) on the same input, both streaming in 1 MiB chunks at level 6, the
// level actool build and image export use (`bun bench/gzip.ts [MiB]`). The input is a tar
// of /usr/lib (a real mix of binaries and text). Prints medians of 5 interleaved runs and
// ratios (fflate / node:zlib), for compression and decompression, and each module's load
// time. fflate lost (README, "Benchmarks"), so it is no dependency of rkt: the bench
// installs its pinned version with npm into a temporary directory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGzip, createGunzip } from "node:zlib";

const FFLATE = "fflate@0.8.2";
const fflateDir = mkdtempSync(join(tmpdir(), "bench-fflate-"));
process.on("exit", () => rmSync(fflateDir, { recursive: true, force: true }));
if (Bun.spawnSync(["npm", "install", "--silent", "--no-save", "--no-audit", "--no-fund", "--prefix", fflateDir, FFLATE]).exitCode !== 0) {
  throw new Error(`bench: npm install ${FFLATE} failed`);
}
const fflatePath = join(fflateDir, "node_modules/fflate/esm/index.mjs");
/** The part of fflate's streaming API the bench uses. */
interface FflateStream {
  ondata: (chunk: Uint8Array, final: boolean) => void;
  push(chunk: Uint8Array, final?: boolean): void;
}
const { Gzip, Gunzip } = (await import(fflatePath)) as { Gzip: new (opts: { level: number }) => FflateStream; Gunzip: new () => FflateStream };

const megabytes = Number(process.argv[2] ?? 64);
const tar = Bun.spawnSync(["sh", "-c", `tar -cf - /usr/lib 2>/dev/null | head -c ${megabytes << 20}`], { stdout: "pipe", maxBuffer: (megabytes + 1) << 20 }).stdout;
const CHUNK = 1 << 20;

function chunks(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += CHUNK) out.push(data.subarray(i, i + CHUNK));
  return out;
}

function viaFflate(data: Uint8Array, compress: boolean): number {
  let size = 0;
  const stream = compress ? new Gzip({ level: 6 }) : new Gunzip();
  stream.ondata = (chunk: Uint8Array) => { size += chunk.length; };
  const parts = chunks(data);
  parts.forEach((part, i) => stream.push(part, i === parts.length - 1));
  return size;
}

async function viaNodeZlib(data: Uint8Array, compress: boolean): Promise<number> {
  const stream = compress ? createGzip({ level: 6 }) : createGunzip();
  let size = 0;
  const done = new Promise<void>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => { size += chunk.length; });
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  for (const part of chunks(data)) {
    if (!stream.write(part)) await new Promise((resolve) => stream.once("drain", resolve));
  }
  stream.end();
  await done;
  return size;
}

/** Medians of 5 runs of each, run in turn (a, b, a, b, ...) so that both meet the same load. */
async function interleavedMedians(a: () => unknown, b: () => unknown): Promise<[number, number]> {
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < 5; i++) {
    for (const [which, run] of [[0, a], [1, b]] as const) {
      const start = performance.now();
      await run();
      times[which].push(performance.now() - start);
    }
  }
  return [times[0].sort((x, y) => x - y)[2]!, times[1].sort((x, y) => x - y)[2]!];
}

const gz = Bun.gzipSync(new Uint8Array(tar), { level: 6 });
console.log(`input: ${(tar.length / 2 ** 20).toFixed(0)} MiB tar of /usr/lib, ${(gz.length / 2 ** 20).toFixed(1)} MiB gzip`);
for (const [label, input, compress] of [["compress", tar, true], ["decompress", gz, false]] as const) {
  const [fflate, zlib] = await interleavedMedians(() => viaFflate(input, compress), () => viaNodeZlib(input, compress));
  console.log(`${label}: fflate ${fflate.toFixed(0)} ms, node:zlib ${zlib.toFixed(0)} ms, ratio fflate/node:zlib ${(fflate / zlib).toFixed(2)}x`);
}
for (const module of [fflatePath, "node:zlib"]) {
  const load = Bun.spawnSync([process.execPath, "-e", `const t = performance.now(); await import("${module}"); console.log(performance.now() - t)`], { stdout: "pipe" });
  console.log(`load ${module === fflatePath ? "fflate" : module}: ${Number(load.stdout.toString()).toFixed(2)} ms`);
}
