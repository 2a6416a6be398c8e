#!/usr/bin/env bun
// The entry point: finds the command (by unambiguous prefix), reads global flags wherever
// they stand, loads only that command's module, and turns errors into one line + exit code.
import { basename } from "node:path";
import { commandTable, lookupCommand, type CommandTable } from "./cli/commands";
import { ExitCode, FlagUsageError, RktError, UsageError, withPermissionHint } from "./cli/errors";
import { flagDefaults, isFlagToken, parseTokens, readFlag, type FlagValues } from "./cli/flags";
import { globalFlagDefs, globalsFrom, setGlobals } from "./cli/globals";
import { commandHelp, groupHelp } from "./cli/help";
import type { RktCommand, RktCommandSpec } from "./cli/command";
import { printErr, printOut } from "./cli/output";

const ROOT_DESCRIPTION = "rkt, the application container runner";
const ACTOOL_DESCRIPTION = "actool, the App Container tool";

interface Resolved {
  path: string[];
  table: CommandTable;
  description: string;
  load?: () => Promise<{ default: RktCommand }>;
  startsPod?: boolean;
  rest: string[];
  wantsHelp: boolean;
}

/** Walks the tokens down the command tree, reading global flags met on the way. */
function resolve(tokens: string[], root: CommandTable, rootName: string, rootDescription: string, values: FlagValues): Resolved {
  let table = root;
  let description = rootDescription;
  const path = [rootName];
  let i = 0;
  let helpTopic = false;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token === "--help" || token === "-h") return { path, table, description, rest: [], wantsHelp: true };
    if (isFlagToken(token)) {
      i = readFlag(tokens, i, globalFlagDefs, values);
      continue;
    }
    const found = lookupCommand(table, token);
    i++;
    // Every command group takes `help [command]`, as its usage text says; only the root lists it.
    if (token === "help" || found?.[0] === "help") {
      helpTopic = true;
      continue;
    }
    if (!found) throw new UsageError(`unknown command "${token}" for "${path.join(" ")}"`);
    const [name, entry] = found;
    path.push(name);
    description = entry.description;
    if (entry.subcommands) {
      table = entry.subcommands;
      continue;
    }
    return { path, table, description, load: entry.load, startsPod: entry.startsPod, rest: tokens.slice(i), wantsHelp: helpTopic };
  }
  return { path, table, description, rest: [], wantsHelp: true };
}

/** `--help` among the command's own flags; for "stop-at-positional" not after the first positional (`rkt enter UUID ls --help`). */
function wantsCommandHelp(rest: string[], spec: RktCommandSpec): boolean {
  const defs = { ...globalFlagDefs, ...spec.args };
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    if (token === "--") return false;
    if (token === "--help" || token === "-h") return true;
    if (isFlagToken(token)) {
      const def = defs[token.slice(2)];
      if (def && def.type !== "boolean" && def.optionalValue === undefined) i++; // `--flag value`
    } else if (spec.parse === "stop-at-positional") return false;
  }
  return false;
}

async function dispatch(argv: string[], invokedAs: string): Promise<number> {
  const isActool = invokedAs === "actool";
  const root = isActool ? commandTable.actool!.subcommands! : commandTable;
  const values = flagDefaults(globalFlagDefs);
  const r = resolve(argv, root, isActool ? "actool" : "rkt", isActool ? ACTOOL_DESCRIPTION : ROOT_DESCRIPTION, values);
  if (!r.load) {
    await printOut(groupHelp(r.path.join(" "), r.description, r.table, r.path.length === 1));
    return ExitCode.Ok;
  }
  // As early as possible: the kernel's wait passes while the command loads and prepares.
  // Imported by its file, not through src/sys: the module index would load libc.
  if (r.startsPod && !r.wantsHelp) (await import("./sys/cgroup-warmup")).warmUpCgroupMigration();
  const { spec } = (await r.load()).default;
  const path = r.path.join(" ");
  if (r.wantsHelp || (spec.parse !== "raw" && wantsCommandHelp(r.rest, spec))) {
    await printOut(commandHelp(path, spec));
    return ExitCode.Ok;
  }
  commandPrefix = r.path.slice(1).join(" ");
  commandPath = path;
  if (spec.parse === "raw") {
    setGlobals(globalsFrom(values));
    return (await spec.run({ args: { ...values, _: [] }, rawArgs: r.rest, rest: [] })) ?? ExitCode.Ok;
  }
  const parsed = parseTokens(r.rest, { ...globalFlagDefs, ...spec.args }, {
    stopAtPositional: spec.parse === "stop-at-positional",
    initial: values,
  });
  // "" means a throw-away data directory, which only run and prepare (raw commands) can use;
  // anywhere else it would put a store in the working directory.
  if (parsed.values.dir === "") throw new UsageError(`--dir must name a directory (the empty string is for run and prepare only)`);
  setGlobals(globalsFrom(parsed.values));
  if (spec.maxArgs !== undefined && parsed.positionals.length > spec.maxArgs) {
    throw new UsageError(`unexpected argument "${parsed.positionals[spec.maxArgs]}" (usage: ${path}${spec.usage ? ` ${spec.usage}` : ""})`);
  }
  const args = { ...parsed.values, _: parsed.positionals };
  return (await spec.run({ args, rawArgs: r.rest, rest: parsed.rest })) ?? ExitCode.Ok;
}

let commandPrefix = "";
let commandPath = "";

async function report(err: unknown, debug: boolean): Promise<number> {
  const prefix = commandPrefix ? `${commandPrefix}: ` : "";
  if (err instanceof UsageError && !commandPrefix) {
    printErr(`${invokedAs}: ${err.message} (see '${invokedAs} help')\n`);
    return err.exitCode;
  }
  // Loaded here, not at start-up: sys opens libc, which commands that succeed may never need.
  const { readableErrorMessage } = await import("./sys");
  let message = readableErrorMessage(err instanceof Error ? err.message : String(err));
  if (err instanceof FlagUsageError) message += ` (see '${commandPath} --help')`;
  printErr(`${prefix}${withPermissionHint(message, commandPrefix)}\n`);
  if (debug && err instanceof Error && err.stack) printErr(`${err.stack}\n`);
  return err instanceof RktError ? err.exitCode : ExitCode.Failure;
}

const argv = process.argv.slice(2);
const invokedAs = basename(process.argv0 || "rkt");
let code: number;
try {
  code = await dispatch(argv, invokedAs);
} catch (err) {
  code = await report(err, argv.includes("--debug"));
}
process.exit(code);
