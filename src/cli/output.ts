// The CLI's stdout and stderr. Not process.stdout/process.stderr: Bun builds those Node
// streams on first use, which costs ~20 ms of CPU, more than the rest of `rkt version`.
import { writeSync } from "node:fs";

/** Writes all of `text` to stdout, waiting for a full pipe to drain. */
export async function printOut(text: string): Promise<void> {
  await Bun.write(Bun.stdout, text);
}

/** Writes `text` to stderr before returning: a warning must land before stage0 execs stage1. */
export function printErr(text: string): void {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) done += writeSync(2, bytes, done);
}
