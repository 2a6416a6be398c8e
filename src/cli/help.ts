// Usage text in rkt's layout: NAME, USAGE, VERSION (root), COMMANDS, OPTIONS, GLOBAL
// OPTIONS, each body indented by a tab.
import type { CommandNode } from "./commands";
import type { RktCommandSpec } from "./command";
import type { FlagDefs } from "./flags";
import { globalFlagDefs } from "./globals";
import { RKT_CLI_VERSION } from "../version";

function section(title: string, lines: string[]): string {
  return `${title}:\n${lines.map((l) => `\t${l}`).join("\n")}\n`;
}

function flagLines(defs: FlagDefs): string[] {
  const rows = Object.entries(defs)
    .filter(([, d]) => d.type !== "positional" && !d.hidden)
    .map(([name, d]) => {
      const shown = d.default !== undefined && d.default !== "" && !d.repeatable ? `--${name}=${d.default}` : `--${name}`;
      return [shown, d.description ?? ""] as const;
    });
  const width = Math.max(0, ...rows.map(([f]) => f.length));
  return rows.map(([f, desc]) => `${f.padEnd(width)}\t${desc}`);
}

function commandLines(group: CommandNode): string[] {
  const rows = Object.values(group.subCommands ?? {}).map((c) => c.meta).filter((m) => !m.hidden);
  const width = Math.max(0, ...rows.map((m) => m.name.length));
  return rows.map((m) => `${m.name.padEnd(width)}\t${m.description}`);
}

export function groupHelp(path: string, group: CommandNode, isRoot: boolean): string {
  const parts = [
    section("NAME", [`${path} - ${group.meta.description}`]),
    section("USAGE", [`${path} [command]`]),
  ];
  if (isRoot) parts.push(section("VERSION", [RKT_CLI_VERSION]));
  parts.push(section("COMMANDS", commandLines(group)));
  parts.push(section("GLOBAL OPTIONS", flagLines(globalFlagDefs)));
  parts.push(`Run '${path} help [command]' for more information on a command.\n`);
  return parts.join("\n");
}

export function commandHelp(path: string, description: string, spec: RktCommandSpec): string {
  const parts = [
    section("NAME", [`${path} - ${description}`]),
    section("USAGE", [`${path}${spec.usage ? ` ${spec.usage}` : ""}`]),
  ];
  if (spec.details) parts.push(section("DESCRIPTION", spec.details));
  const own = flagLines(spec.args ?? {});
  if (own.length) parts.push(section("OPTIONS", own));
  parts.push(section("GLOBAL OPTIONS", flagLines(globalFlagDefs)));
  return parts.join("\n");
}
