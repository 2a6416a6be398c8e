// Streaming a download to a file, never holding it whole in memory and never past its
// limit or its Content-Length (bounded-body.ts): rkt's progress line on stderr when stderr
// is a terminal (rkt-cli.md §1.3, §2.1) for images and signatures, and the plain write loop
// docker layer blobs use. A failed download leaves no file behind.
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { boundedChunks } from "./bounded-body";
import type { HttpResponse } from "./client";

const BAR_WIDTH = 40;

export interface DownloadOptions {
  /** Names the body in errors and on the progress line: `ACI`, `signature`, `layer sha256:...`. */
  what: string;
  /** At most this many bytes (a declared size, or a SIZE_LIMITS entry); no bound but Content-Length by default. */
  limit?: number;
  /** Sees each chunk once written. */
  onChunk?: (chunk: Uint8Array) => void;
}

/** downloadToFile with the progress line when stderr is a terminal. */
export async function saveResponseBody(response: HttpResponse, path: string, opts: DownloadOptions): Promise<void> {
  // Loaded here, not at start-up: node:tty costs every `rkt run` ~8 ms of CPU.
  const { isatty } = await import("node:tty");
  if (!isatty(2)) return downloadToFile(response, path, opts);
  const total = Number(response.headers.get("content-length") ?? NaN);
  let done = 0;
  try {
    await downloadToFile(response, path, {
      ...opts,
      onChunk: (chunk) => {
        done += chunk.length;
        process.stderr.write(`\r${progressLine(opts.what, done, total)}`);
        opts.onChunk?.(chunk);
      },
    });
  } finally {
    process.stderr.write("\n");
  }
}

/** Writes the body of `response` to `path` (created, mode 0600; an existing file is an error). */
export async function downloadToFile(response: HttpResponse, path: string, opts: DownloadOptions): Promise<void> {
  const fd = openSync(path, "wx", 0o600);
  try {
    for await (const chunk of boundedChunks(response, opts.limit ?? Infinity, opts.what)) {
      for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
      opts.onChunk?.(chunk);
    }
  } catch (err) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw err;
  }
  closeSync(fd);
}

/** `Downloading ACI: [=====     ] 3.25 MB/3.7 MB`, or `Downloading ACI: 1.2 MB of an unknown total size`. */
export function progressLine(what: string, done: number, total: number): string {
  if (!Number.isFinite(total) || total <= 0) return `Downloading ${what}: ${megabytes(done)} of an unknown total size`;
  const filled = Math.min(BAR_WIDTH, Math.round((done / total) * BAR_WIDTH));
  return `Downloading ${what}: [${"=".repeat(filled)}${" ".repeat(BAR_WIDTH - filled)}] ${megabytes(done)}/${megabytes(total)}`;
}

function megabytes(bytes: number): string {
  return `${Number((bytes / 1e6).toFixed(2))} MB`;
}
