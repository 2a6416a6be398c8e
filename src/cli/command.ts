import { defineCommand, type CommandDef } from "citty";
import type { FlagDefs, FlagValues } from "./flags";
import type { Globals } from "./globals";

/**
 * How a command's tokens are read:
 * - "interspersed": flags and positionals in any order (most commands);
 * - "stop-at-positional": flags end at the first positional (enter: CMD keeps its flags);
 * - "raw": the command parses its own tokens (run/prepare/fetch: per-app flags and `--`).
 */
export type ParseMode = "interspersed" | "stop-at-positional" | "raw";

/** What every command is given when it runs. */
interface CommonContext {
  /** Tokens after the command name, untouched. */
  rawArgs: string[];
  /** The command's help text, in rkt's layout. */
  help(): string;
}

/** The context of a command whose tokens the dispatcher parsed. */
export interface RunContext extends CommonContext {
  /** Flag values (command and global flags) and positionals in `_`. */
  args: FlagValues & { _: string[] };
  /** Tokens after `--`, or from the first positional on in "stop-at-positional" mode. */
  rest: string[];
  /** The global flags, wherever they stood on the command line. */
  globals: Globals;
}

/** The context of a "raw" command, which reads its tokens itself, global flags among them. */
export interface RawRunContext extends CommonContext {
  /** The global flags read before the command name, at their defaults if not given. */
  args: FlagValues;
  /** The globals of the whole command line, from the flag values the command's own parse ended with. */
  globalsFrom(values: FlagValues): Globals;
}

/** What a command's module declares: its flags and its run. Its name and description live in the command tree. */
interface CommandSpecBase {
  /** The USAGE line after `rkt <name>`, e.g. `[--full] [--no-legend]`. */
  usage?: string;
  /** The help's DESCRIPTION section: what the one-line description cannot say. */
  details?: string[];
  /** How many positional arguments the command takes at most; more is a usage error. */
  maxArgs?: number;
  args?: FlagDefs;
}

export interface ParsedCommandSpec extends CommandSpecBase {
  parse?: Exclude<ParseMode, "raw">;
  /** Resolves to the exit code; undefined means 0. */
  run: (ctx: RunContext) => number | void | Promise<number | void>;
}

export interface RawCommandSpec extends CommandSpecBase {
  parse: "raw";
  /** Resolves to the exit code; undefined means 0. */
  run: (ctx: RawRunContext) => number | void | Promise<number | void>;
}

export type RktCommandSpec = ParsedCommandSpec | RawCommandSpec;

export type RktCommand = CommandDef & Required<Pick<CommandDef, "run">> & { spec: RktCommandSpec };

/**
 * One `defineCommand` per command file; the dispatcher runs it with citty's context, whose
 * `data` is rkt's. citty is given no `args`: its parser would read rkt's flags its own way
 * (`--no-legend` as the negation of `--legend`, `-x` as a flag), so the dispatcher applies
 * rkt's rules (flags.ts) from the spec before the run.
 */
export function rktCommand(spec: RktCommandSpec): RktCommand {
  const run: RktCommand["run"] = ({ data }) => spec.run(data);
  return Object.assign(defineCommand({ run }), { run, spec });
}
