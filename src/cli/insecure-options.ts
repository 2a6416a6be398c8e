import { UsageError } from "./errors";
import { parseInsecureRunOptions } from "../pod";

/** `--insecure-options` of run and run-prepared; a bad list is a usage error (exit 2). */
export function insecureRunOptionsFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  try {
    return parseInsecureRunOptions(value);
  } catch (err) {
    throw new UsageError(`--insecure-options: ${(err as Error).message}`);
  }
}
