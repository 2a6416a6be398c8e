// The CLI's stdout and stderr. Not process.stdout/process.stderr: Bun builds those Node
// streams on first use, which costs ~20 ms of CPU, more than the rest of `rkt version`.
// Nor node:fs, whose loading costs `rkt version` another 4 ms.

/** Writes all of `text` to stdout, waiting for a full pipe to drain. */
export async function printOut(text: string): Promise<void> {
  await Bun.write(Bun.stdout, text);
}

/**
 * Writes `text` to stderr before returning (a warning must land before stage0 execs
 * stage1), ending it with a newline if it has none. Bun's console.error writes at once
 * and leaves a lone string unformatted.
 */
export function printErr(text: string): void {
  console.error(text.endsWith("\n") ? text.slice(0, -1) : text);
}
