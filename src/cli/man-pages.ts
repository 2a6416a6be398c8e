// Manual pages in roff (man(7) macros) from the command table: `rkt.1` for the program and
// one page per command and group (`rkt-image-list.1`), each with its usage, description,
// options, global options and the pages it relates to.
import type { CommandEntry, CommandTable, FlagEntry } from "./command-table";

/** Text safe in a roff line: backslashes escaped, hyphens as minus signs, no leading control character. */
function roff(text: string): string {
  const escaped = text.replaceAll("\\", "\\e").replaceAll("-", "\\-");
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}

function pageName(c: CommandEntry): string {
  return c.path.join("-");
}

function flagItems(flags: FlagEntry[]): string[] {
  return flags.flatMap((f) => [
    ".TP",
    `\\fB\\-\\-${roff(f.name)}\\fR${f.takesValue ? "=\\fIVALUE\\fR" : ""}`,
    roff(f.description + (f.default === undefined || !f.takesValue ? "" : ` (default: ${f.default})`)),
  ]);
}

function page(c: CommandEntry, table: CommandTable, date: string, version: string): string {
  const name = c.path.join(" ");
  const title = pageName(c).toUpperCase();
  const synopsis = c.kind === "group" ? `${name} [command]` : `${name}${c.usage ? ` ${c.usage}` : ""}`;
  const children = c.subcommands.map((s) => table.commands.find((x) => x.path.join(" ") === `${name} ${s}`)!);
  const parent = table.commands.find((x) => x.path.join(" ") === c.path.slice(0, -1).join(" "));
  const lines = [
    `.TH ${roff(title)} 1 "${date}" "rkt ${roff(version)}" "rkt Manual"`,
    ".SH NAME",
    `${roff(pageName(c))} \\- ${roff(c.description)}`,
    ".SH SYNOPSIS",
    `.B ${roff(synopsis)}`,
  ];
  // The help's lines, filled into one paragraph by the formatter.
  if (c.details?.length) lines.push(".SH DESCRIPTION", ...c.details.map(roff));
  if (children.length) {
    lines.push(".SH COMMANDS");
    for (const child of children) lines.push(".TP", `\\fB${roff(child.path.at(-1)!)}\\fR`, roff(child.description));
  }
  if (c.flags.length) lines.push(".SH OPTIONS", ...flagItems(c.flags));
  lines.push(".SH GLOBAL OPTIONS", ...flagItems(table.globalFlags));
  const related = [...(parent ? [parent] : []), ...children].map((r) => `\\fB${roff(pageName(r))}\\fR(1)`);
  if (related.length) lines.push(".SH SEE ALSO", related.join(", "));
  return `${lines.join("\n")}\n`;
}

/** Every page of the table, by file name (`rkt.1`, `rkt-run.1`, …); `version` is what `rkt version` reports, `date` the pages' date (YYYY-MM-DD). */
export function manPages(table: CommandTable, version: string, date: string): Map<string, string> {
  const pages = new Map<string, string>();
  for (const c of table.commands) if (c.kind !== "builtin") pages.set(`${pageName(c)}.1`, page(c, table, date, version));
  return pages;
}
