// The whole command tree with every command's flags, for what describes the CLI as a whole
// (shell completion, man pages). Loading it imports every command's module, so nothing on
// the way to running a command may use it.
import type { CommandNode } from "./commands";
import type { FlagDef, FlagDefs } from "./flags";
import { globalFlagDefs } from "./globals";

export interface FlagEntry {
  name: string;
  description: string;
  /** Whether the flag is written `--name=VALUE` (a bare `--name` is only for booleans and optional values). */
  takesValue: boolean;
  /** The default shown in help, if any. */
  default?: string;
}

export interface CommandEntry {
  /** Names from the root, e.g. ["rkt", "image", "list"]. */
  path: string[];
  /** A group of commands, a command with its module, or one the dispatcher answers itself (`help`). */
  kind: "group" | "command" | "builtin";
  description: string;
  /** Visible subcommands' names (groups only). */
  subcommands: string[];
  /** The command's own flags (global flags are in CommandTable.globalFlags). */
  flags: FlagEntry[];
  usage?: string;
  details?: string[];
}

export interface CommandTable {
  /** Every visible command and group, parents before children. */
  commands: CommandEntry[];
  globalFlags: FlagEntry[];
}

function flagEntries(defs: FlagDefs): FlagEntry[] {
  return Object.entries(defs)
    .filter(([, d]) => d.type !== "positional" && !d.hidden)
    .map(([name, d]: [string, FlagDef]) => {
      const shownDefault = d.default !== undefined && d.default !== "" && !d.repeatable ? String(d.default) : undefined;
      return {
        name,
        description: d.description ?? "",
        takesValue: d.type !== "boolean" && d.optionalValue === undefined,
        ...(shownDefault === undefined ? {} : { default: shownDefault }),
      };
    });
}

async function collect(node: CommandNode, path: string[], into: CommandEntry[]): Promise<void> {
  const visible = Object.values(node.subCommands ?? {}).filter((c) => !c.meta.hidden);
  const spec = node.load ? (await node.load()).default.spec : undefined;
  into.push({
    path,
    kind: node.subCommands ? "group" : spec ? "command" : "builtin",
    description: node.meta.description,
    subcommands: visible.map((c) => c.meta.name),
    flags: flagEntries(spec?.args ?? {}),
    ...(spec?.usage === undefined ? {} : { usage: spec.usage }),
    ...(spec?.details === undefined ? {} : { details: spec.details }),
  });
  for (const child of visible) await collect(child, [...path, child.meta.name], into);
}

/** The visible tree under `root` (hidden commands and aliases left out), each command's module loaded for its flags. */
export async function loadCommandTable(root: CommandNode): Promise<CommandTable> {
  const commands: CommandEntry[] = [];
  await collect(root, [root.meta.name], commands);
  return { commands, globalFlags: flagEntries(globalFlagDefs) };
}
