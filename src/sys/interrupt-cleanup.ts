// Work that writes a temporary file or directory outside the store: if the user presses
// Ctrl-C (or the process gets SIGTERM/SIGHUP), remove the temporary before dying, so an
// interrupted command leaves nothing half-written behind.
import { rmSync } from "node:fs";

const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const exitCodes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

export async function withTemporary<T>(temporary: string, work: () => T | Promise<T>): Promise<T> {
  const remove = () => rmSync(temporary, { recursive: true, force: true });
  const handlers = signals.map((signal) => {
    const handler = () => {
      remove();
      process.exit(exitCodes[signal]);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  try {
    return await work();
  } finally {
    remove();
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
