// Writes an ACI file from tar chunks, gzip-compressed or plain, crash-safely: into a
// temporary name beside the target, fsync, then rename over it. node:stream and node:zlib
// are imported on use: loading them costs every rkt command a few milliseconds of start-up.
import { createWriteStream, existsSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface AciWriteOptions {
  /** gzip the tar stream (the default of actool). */
  compress: boolean;
  /** replace an existing output file. */
  overwrite: boolean;
}

const BATCH_BYTES = 1 << 20;

/** Joins small chunks (tar headers, small files) into ~1 MiB writes; the stream pipeline costs per chunk. */
async function* batched(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    pending.push(chunk);
    size += chunk.length;
    if (size >= BATCH_BYTES) {
      yield Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
  }
  if (size) yield Buffer.concat(pending, size);
}

export async function writeAciFile(outFile: string, tar: AsyncIterable<Uint8Array>, opts: AciWriteOptions): Promise<void> {
  if (!opts.overwrite && existsSync(outFile)) throw new Error(`output file ${outFile} already exists (try --overwrite)`);
  const [{ Readable }, { pipeline }, { createGzip }] = await Promise.all([import("node:stream"), import("node:stream/promises"), import("node:zlib")]);
  const temp = join(dirname(outFile), `.${basename(outFile)}.${process.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  try {
    const sink = createWriteStream(temp, { flags: "wx", mode: 0o644 });
    const source = Readable.from(batched(tar));
    if (opts.compress) await pipeline(source, createGzip(), sink);
    else await pipeline(source, sink);
    const file = await open(temp, "r");
    await file.sync();
    await file.close();
    await rename(temp, outFile);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
