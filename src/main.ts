#!/usr/bin/env bun
// The entry point: finds the command in the citty command tree (by unambiguous prefix),
// reads global flags wherever they stand, loads only that command's module, runs it through
// citty with the globals in its context, and turns errors into one line + exit code.
import type { CommandContext } from "citty";
import { basename } from "node:path";
import { actoolRoot, lookupCommand, rktRoot, type CommandNode } from "./cli/commands";
import { didYouMean } from "./cli/did-you-mean";
import { ExitCode, FlagUsageError, RktError, UsageError, withPermissionHint } from "./cli/errors";
import { flagDefaults, isFlagToken, parseTokens, readFlag, type FlagValues } from "./cli/flags";
import { globalFlagDefs, globalsFrom } from "./cli/globals";
import { commandHelp, groupHelp } from "./cli/help";
import type { RawRunContext, RktCommand, RktCommandSpec, RunContext } from "./cli/command";
import { printErr, printOut } from "./cli/output";

interface Resolved {
  path: string[];
  /** The command, or the group whose help is asked for. */
  node: CommandNode;
  rest: string[];
  wantsHelp: boolean;
}

/**
 * Walks the tokens down the command tree, reading global flags met on the way. The walk is
 * ours rather than citty's runCommand: citty matches a name that is not exact by loading
 * every subcommand of the group (for their aliases), and drops a subcommand's result,
 * which is rkt's exit code.
 */
function resolve(tokens: string[], root: CommandNode, values: FlagValues): Resolved {
  let node = root;
  const path = [root.meta.name];
  let i = 0;
  let helpTopic = false;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token === "--help" || token === "-h") return { path, node, rest: [], wantsHelp: true };
    if (isFlagToken(token)) {
      i = readFlag(tokens, i, globalFlagDefs, values);
      continue;
    }
    const found = lookupCommand(node, token);
    i++;
    // Every command group takes `help [command]`, as its usage text says; only the root lists it.
    if (token === "help" || found?.meta.name === "help") {
      helpTopic = true;
      continue;
    }
    if (!found) {
      const visible = Object.values(node.subCommands ?? {}).filter((c) => !c.meta.hidden).map((c) => c.meta.name);
      throw new UsageError(`unknown command "${token}" for "${path.join(" ")}"${didYouMean(token, visible)}`);
    }
    path.push(found.meta.name);
    node = found;
    if (!found.subCommands) return { path, node, rest: tokens.slice(i), wantsHelp: helpTopic };
  }
  return { path, node, rest: [], wantsHelp: true };
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

/** What the command line asks for: a help text, or a command to run. */
type Request = { help: string } | { path: string[]; run: () => Promise<number> };

async function requestOf(argv: string[], root: CommandNode): Promise<Request> {
  const values = flagDefaults(globalFlagDefs);
  const r = resolve(argv, root, values);
  const path = r.path.join(" ");
  if (!r.node.load) return { help: groupHelp(path, r.node, r.path.length === 1) };
  // As early as possible: the kernel's wait passes while the command loads and prepares.
  // Imported by its file, not through src/sys: the module index would load libc.
  if (r.node.startsPod && !r.wantsHelp) (await import("./sys/cgroup-warmup")).warmUpCgroupMigration();
  const command = (await r.node.load()).default;
  const help = () => commandHelp(path, r.node.meta.description, command.spec);
  if (r.wantsHelp || (command.spec.parse !== "raw" && wantsCommandHelp(r.rest, command.spec))) return { help: help() };
  return { path: r.path, run: () => runWithContext(command, path, r.rest, values, help) };
}

/** Parses the command's tokens by rkt's rules, unless it reads them itself, and runs it with the globals in its context. */
async function runWithContext(command: RktCommand, path: string, rest: string[], globalValues: FlagValues, help: () => string): Promise<number> {
  const { spec } = command;
  let data: RunContext | RawRunContext;
  if (spec.parse === "raw") {
    data = { args: globalValues, rawArgs: rest, help, globalsFrom };
  } else {
    const parsed = parseTokens(rest, { ...globalFlagDefs, ...spec.args }, {
      stopAtPositional: spec.parse === "stop-at-positional",
      initial: globalValues,
    });
    // "" means a throw-away data directory, which only run and prepare (raw commands) can use;
    // anywhere else it would put a store in the working directory.
    if (parsed.values.dir === "") throw new UsageError(`--dir must name a directory (the empty string is for run and prepare only)`);
    if (spec.maxArgs !== undefined && parsed.positionals.length > spec.maxArgs) {
      throw new UsageError(`unexpected argument "${parsed.positionals[spec.maxArgs]}" (usage: ${path}${spec.usage ? ` ${spec.usage}` : ""})`);
    }
    data = { args: { ...parsed.values, _: parsed.positionals }, rawArgs: rest, rest: parsed.rest, globals: globalsFrom(parsed.values), help };
  }
  // Not citty's runCommand, which would parse the tokens again with node:util's parseArgs
  // for nothing: loading it costs `rkt version` a fifth of its start-up (bench/start.ts).
  // So citty's `args` stay empty; the parsed flags are in `data`.
  const result = await command.run({ rawArgs: rest, args: { _: [] } as unknown as CommandContext["args"], cmd: command, data });
  return (result as number | undefined) ?? ExitCode.Ok;
}

/** The error as one line on stderr, prefixed by the command it came from (`commandPath` is empty before one was chosen). */
async function report(err: unknown, commandPath: string[], debug: boolean): Promise<number> {
  const commandName = commandPath.slice(1).join(" ");
  if (err instanceof UsageError && !commandName) {
    printErr(`${invokedAs}: ${err.message} (see '${invokedAs} help')\n`);
    return err.exitCode;
  }
  // Loaded here, not at start-up: sys opens libc, which commands that succeed may never need.
  const { readableErrorMessage } = await import("./sys");
  let message = readableErrorMessage(err instanceof Error ? err.message : String(err));
  if (err instanceof FlagUsageError) message += ` (see '${commandPath.join(" ")} --help')`;
  printErr(`${commandName ? `${commandName}: ` : ""}${withPermissionHint(message, commandName)}\n`);
  if (debug && err instanceof Error && err.stack) printErr(`${err.stack}\n`);
  return err instanceof RktError ? err.exitCode : ExitCode.Failure;
}

async function main(argv: string[], root: CommandNode): Promise<number> {
  let commandPath: string[] = [];
  try {
    const request = await requestOf(argv, root);
    if ("help" in request) {
      await printOut(request.help);
      return ExitCode.Ok;
    }
    commandPath = request.path;
    return await request.run();
  } catch (err) {
    return report(err, commandPath, argv.includes("--debug"));
  }
}

const invokedAs = basename(process.argv0 || "rkt");
process.exit(await main(process.argv.slice(2), invokedAs === "actool" ? actoolRoot : rktRoot));
