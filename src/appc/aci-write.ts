// Writes an ACI file from tar chunks, gzip-compressed or plain, crash-safely: into a
// temporary name beside the target, fsync, then rename over it.
import { createWriteStream, existsSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";

export interface AciWriteOptions {
  /** gzip the tar stream (the default of actool). */
  compress: boolean;
  /** replace an existing output file. */
  overwrite: boolean;
}

export async function writeAciFile(outFile: string, tar: AsyncIterable<Uint8Array>, opts: AciWriteOptions): Promise<void> {
  if (!opts.overwrite && existsSync(outFile)) throw new Error(`output file ${outFile} already exists (try --overwrite)`);
  const temp = join(dirname(outFile), `.${basename(outFile)}.${process.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  try {
    const sink = createWriteStream(temp, { flags: "wx", mode: 0o644 });
    if (opts.compress) await pipeline(Readable.from(tar), createGzip(), sink);
    else await pipeline(Readable.from(tar), sink);
    const file = await open(temp, "r");
    await file.sync();
    await file.close();
    await rename(temp, outFile);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
