// A blob copied out of an archive or an image layout into the conversion's scratch
// directory: exactly its declared size (a longer or shorter one is refused), hashed on the
// way, so what the conversion reads is what was checked and cannot change under it.
import { closeSync, openSync, rmSync, writeSync } from "node:fs";

/** Writes `chunks` to `path` (created, mode 0600), calling `onWritten` after each; returns the hex digest of the bytes under `algorithm`. */
export async function writeBlobFile(chunks: AsyncIterable<Uint8Array>, path: string, size: number, algorithm: "sha256" | "sha512", what: string, onWritten?: () => void): Promise<string> {
  const hasher = new Bun.CryptoHasher(algorithm);
  const fd = openSync(path, "wx", 0o600);
  try {
    let written = 0;
    for await (const chunk of chunks) {
      written += chunk.length;
      if (written > size) throw new Error(`${what} is larger than its declared ${size} bytes`);
      for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
      hasher.update(chunk);
      onWritten?.();
    }
    if (written !== size) throw new Error(`${what} has ${written} bytes, not its declared ${size}`);
  } catch (err) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw err;
  }
  closeSync(fd);
  return hasher.digest("hex");
}
