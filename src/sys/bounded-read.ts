// Reading a whole file that a user names (a pod manifest, a signature, a key) with a bound,
// so that `/dev/zero`, a FIFO that never ends or a huge file fails fast with one line
// instead of filling memory. Reads in pieces: the size of a device or FIFO is unknown.
import { closeSync, openSync, readSync } from "node:fs";
import { describeLimit } from "../size-limits";

const PIECE = 64 * 1024;

/** The bytes of `path`, at most `limit`; more is an error naming the path. */
export function readFileBounded(path: string, limit: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const pieces: Buffer[] = [];
    let total = 0;
    for (;;) {
      const piece = Buffer.allocUnsafe(Math.min(PIECE, limit + 1 - total));
      const n = readSync(fd, piece, 0, piece.length, null);
      if (n === 0) return Buffer.concat(pieces, total);
      total += n;
      if (total > limit) throw new Error(`read ${path}: larger than the ${describeLimit(limit)} allowed`);
      pieces.push(piece.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}
