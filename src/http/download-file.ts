// Streaming a download to a file, never holding it whole in memory and never past its
// limit or its Content-Length (bounded-body.ts), with the progress line (progress-bar.ts)
// on stderr when stderr is a terminal. A failed download leaves no file behind.
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { boundedChunks } from "./bounded-body";
import type { HttpResponse } from "./client";
import { ProgressBar } from "./progress-bar";

export interface DownloadOptions {
  /** Names the body in errors and on the progress line: `ACI`, `signature`, `layer sha256:...`. */
  what: string;
  /** At most this many bytes (a declared size, or a SIZE_LIMITS entry); no bound but Content-Length by default. */
  limit?: number;
  /** Sees each chunk once written. */
  onChunk?: (chunk: Uint8Array) => void;
}

/** downloadToFile with the progress line when stderr is a terminal, unless `showProgress` is false (--quiet). */
export async function saveResponseBody(response: HttpResponse, path: string, opts: DownloadOptions & { showProgress?: boolean }): Promise<void> {
  // Loaded here, not at start-up: node:tty costs every `rkt run` ~8 ms of CPU.
  const { isatty } = await import("node:tty");
  if (opts.showProgress === false || !isatty(2)) return downloadToFile(response, path, opts);
  const bar = new ProgressBar(opts.what, Number(response.headers.get("content-length") ?? NaN), (text) => process.stderr.write(text));
  try {
    await downloadToFile(response, path, {
      ...opts,
      onChunk: (chunk) => {
        bar.advance(chunk.length);
        opts.onChunk?.(chunk);
      },
    });
  } finally {
    bar.finish();
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
