import { defineCommand, type CommandDef } from "citty";
import type { FlagDefs, FlagValues } from "./flags";

/**
 * How a command's tokens are read:
 * - "interspersed": flags and positionals in any order (most commands);
 * - "stop-at-positional": flags end at the first positional (enter: CMD keeps its flags);
 * - "raw": the command parses its own tokens (run/prepare/fetch: per-app flags and `--`).
 */
export type ParseMode = "interspersed" | "stop-at-positional" | "raw";

export interface RunContext {
  /** Flag values (command and global flags) and positionals in `_`. */
  args: FlagValues & { _: string[] };
  /** Tokens after the command name, untouched. */
  rawArgs: string[];
  /** Tokens after `--`, or from the first positional on in "stop-at-positional" mode. */
  rest: string[];
}

export interface RktCommandSpec {
  name: string;
  description: string;
  /** The USAGE line after `rkt <name>`, e.g. `[--full] [--no-legend]`. */
  usage?: string;
  /** The help's DESCRIPTION section: what the one-line description cannot say. */
  details?: string[];
  parse?: ParseMode;
  /** How many positional arguments the command takes at most; more is a usage error. */
  maxArgs?: number;
  args?: FlagDefs;
  /** Resolves to the exit code; undefined means 0. */
  run: (ctx: RunContext) => number | void | Promise<number | void>;
}

export type RktCommand = CommandDef & { spec: RktCommandSpec };

/** One `defineCommand` per command file; the spec keeps rkt's parse mode and usage line. */
export function rktCommand(spec: RktCommandSpec): RktCommand {
  const def = defineCommand({ meta: { name: spec.name, description: spec.description }, args: spec.args ?? {} });
  return Object.assign(def, { spec });
}
