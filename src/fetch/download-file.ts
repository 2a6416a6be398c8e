// Streaming a download to a file, never holding it whole in memory: rkt's progress line
// on stderr when stderr is a terminal (rkt-cli.md §1.3, §2.1), and the plain write loop
// docker layer blobs use too.
import { closeSync, openSync, writeSync } from "node:fs";

const BAR_WIDTH = 40;

/** Writes the body of `response` to `path` (created, mode 0600); `what` is `ACI` or `signature`. */
export async function saveResponseBody(response: Response, path: string, what: string): Promise<void> {
  const total = Number(response.headers.get("content-length") ?? NaN);
  // Loaded here, not at start-up: node:tty costs every `rkt run` ~8 ms of CPU.
  const { isatty } = await import("node:tty");
  const progress = isatty(2) ? (done: number) => process.stderr.write(`\r${progressLine(what, done, total)}`) : undefined;
  let done = 0;
  try {
    await writeChunksToFile(response.body ?? [], path, (chunk) => {
      done += chunk.length;
      progress?.(done);
    });
  } finally {
    if (progress) process.stderr.write("\n");
  }
}

/** Writes `chunks` to `path` (created, mode 0600; an existing file is an error); `onChunk` sees each one once written. */
export async function writeChunksToFile(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, path: string, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  const fd = openSync(path, "wx", 0o600);
  try {
    for await (const chunk of chunks) {
      for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
      onChunk(chunk);
    }
  } finally {
    closeSync(fd);
  }
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
