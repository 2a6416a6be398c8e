// Shell completion scripts for bash, zsh and fish, written from the command table: the
// commands of each group and the flags of each command (global flags everywhere), with
// `--flag=` offered for flags that take a value. bash and zsh share one POSIX-style
// candidate function; fish gets its own `complete` lines. The tables are static, so a TAB
// press runs no rkt.
import type { CommandEntry, CommandTable, FlagEntry } from "./command-table";

export const completionShells = ["bash", "zsh", "fish"] as const;
export type CompletionShell = (typeof completionShells)[number];

/** `--name=` for a flag that takes a value, else `--name`. */
function flagWord(flag: FlagEntry): string {
  return `--${flag.name}${flag.takesValue ? "=" : ""}`;
}

/** Single-quoted for fish, where `\\` and `\'` are the only escapes inside quotes. */
function fishQuoted(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** Single-quoted for sh (a `'` closes, is escaped, and reopens). */
function shQuoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A `case "$1" in` over command paths, each arm echoing its words. */
function shCase(name: string, comment: string, rows: [string, string[]][]): string {
  const arms = rows.filter(([, words]) => words.length > 0).map(([path, words]) => `    ${shQuoted(path)}) echo ${shQuoted(words.join(" "))} ;;`);
  return [`# ${comment}`, `${name}() {`, `  case "$1" in`, ...arms, "  esac", "}"].join("\n");
}

/** The candidate function bash and zsh share: the words of the current position, unfiltered (the shells match the prefix). */
function shCandidates(table: CommandTable): string {
  const root = table.commands[0]!.path[0]!;
  return [
    shCase("__rkt_subcommands", "The commands of a group, by its path.", table.commands.map((c) => [c.path.join(" "), c.subcommands])),
    shCase("__rkt_flags", "A command's own flags; `=` ends those that take a value.", table.commands.map((c) => [c.path.join(" "), c.flags.map(flagWord)])),
    `__rkt_global_flags() { echo ${shQuoted(table.globalFlags.map(flagWord).join(" "))}; }`,
    "",
    "# Prints the candidates for the word being completed ($1), given the words before it",
    "# (from the one after the program's name); nothing where a file or a value is expected.",
    "__rkt_candidates() {",
    `  local cur="$1" cmdpath=${shQuoted(root)} w skip=""`,
    "  shift",
    '  for w in "$@"; do',
    '    if [ -n "$skip" ]; then skip=""; continue; fi',
    '    case "$w" in',
    "      --) return ;;",
    "      --*=*) continue ;;",
    "      -*)",
    '        case " $(__rkt_flags "$cmdpath") $(__rkt_global_flags) " in *" $w= "*) skip=1 ;; esac',
    "        continue ;;",
    "    esac",
    '    case " $(__rkt_subcommands "$cmdpath") " in',
    '      *" $w "*) cmdpath="$cmdpath $w" ;;',
    "      *) break ;;",
    "    esac",
    "  done",
    '  [ -n "$skip" ] && return',
    '  case "$cur" in',
    "    --*=*) ;;",
    '    -*) for w in $(__rkt_flags "$cmdpath") $(__rkt_global_flags); do echo "$w"; done ;;',
    '    *) for w in $(__rkt_subcommands "$cmdpath"); do echo "$w"; done ;;',
    "  esac",
    "}",
  ].join("\n");
}

function bashScript(table: CommandTable, program: string): string {
  return [
    `# bash completion for ${program}: source <(${program} completion bash)`,
    shCandidates(table),
    "",
    "# Words are split on blanks only, so that `--flag=value` stays one word (bash's own",
    "# COMP_WORDS would split it at `=`); COMPREPLY still replaces bash's current word.",
    "_rkt() {",
    '  local line="${COMP_LINE:0:COMP_POINT}" cur="" candidates',
    "  local -a words",
    '  read -r -a words <<<"$line"',
    '  case "$line" in *[[:blank:]]) ;; *) cur="${words[${#words[@]}-1]}"; unset "words[${#words[@]}-1]" ;; esac',
    '  candidates=$(__rkt_candidates "$cur" "${words[@]:1}")',
    '  if [ -z "$candidates" ]; then',
    '    COMPREPLY=($(compgen -f -- "${COMP_WORDS[COMP_CWORD]}"))',
    "    return",
    "  fi",
    '  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))',
    '  if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then compopt -o nospace; fi',
    "}",
    `complete -F _rkt ${program}`,
    "",
  ].join("\n");
}

function zshScript(table: CommandTable, program: string): string {
  return [
    `#compdef ${program}`,
    `# zsh completion for ${program}: source <(${program} completion zsh), or save as _${program} in $fpath`,
    shCandidates(table),
    "",
    "_rkt() {",
    "  local -a candidates",
    '  candidates=(${(f)"$(__rkt_candidates "${words[CURRENT]}" "${(@)words[2,CURRENT-1]}")"})',
    "  if (( ${#candidates} == 0 )); then _files; return; fi",
    "  local c",
    "  for c in $candidates; do",
    "    if [[ $c == *= ]]; then compadd -S '' -- $c; else compadd -- $c; fi",
    "  done",
    "}",
    'if [ "$funcstack[1]" = "_rkt" ]; then _rkt "$@"; else compdef _rkt ' + program + "; fi",
    "",
  ].join("\n");
}

/** fish: `complete` lines conditioned on the command path that `__rkt_path` reads from the command line. */
function fishScript(table: CommandTable, program: string): string {
  const root = table.commands[0]!.path[0]!;
  const switchOf = (name: string, rows: [string, string[]][]) => [
    `function ${name}`,
    "    switch $argv[1]",
    ...rows.filter(([, words]) => words.length > 0).flatMap(([path, words]) => [`        case ${fishQuoted(path)}`, `            printf '%s\\n' ${words.map(fishQuoted).join(" ")}`]),
    "    end",
    "end",
  ];
  const valueFlags = (c: CommandEntry) => [...c.flags, ...table.globalFlags].filter((f) => f.takesValue).map((f) => `--${f.name}`);
  const lines = [
    `# fish completion for ${program}: ${program} completion fish | source`,
    ...switchOf("__rkt_subcommands", table.commands.map((c) => [c.path.join(" "), c.subcommands])),
    ...switchOf("__rkt_value_flags", table.commands.map((c) => [c.path.join(" "), valueFlags(c)])),
    "# The command path the words before the cursor name, e.g. 'rkt image list'.",
    "function __rkt_path",
    `    set -l cmdpath ${fishQuoted(root)}`,
    "    set -l skip 0",
    "    for w in (commandline -opc)[2..-1]",
    "        if test $skip = 1; set skip 0; continue; end",
    "        switch $w",
    "            case '--'",
    "                break",
    "            case '--*=*'",
    "                continue",
    "            case '-*'",
    "                contains -- $w (__rkt_value_flags $cmdpath); and set skip 1",
    "                continue",
    "        end",
    "        contains -- $w (__rkt_subcommands $cmdpath); or break",
    '        set cmdpath "$cmdpath $w"',
    "    end",
    "    echo $cmdpath",
    "end",
    `complete -c ${program} -e`,
  ];
  for (const flag of table.globalFlags) lines.push(fishFlag(program, undefined, flag));
  for (const c of table.commands) {
    // Double quotes keep `(…)` for fish to expand when it tests the condition.
    const at = `"test (__rkt_path) = ${fishQuoted(c.path.join(" "))}"`;
    for (const name of c.subcommands) {
      const sub = table.commands.find((s) => s.path.join(" ") === [...c.path, name].join(" "))!;
      lines.push(`complete -c ${program} -f -n ${at} -a ${fishQuoted(name)} -d ${fishQuoted(sub.description)}`);
    }
    for (const flag of c.flags) lines.push(fishFlag(program, at, flag));
  }
  return `${lines.join("\n")}\n`;
}

function fishFlag(program: string, condition: string | undefined, flag: FlagEntry): string {
  return [`complete -c ${program}`, condition ? `-n ${condition}` : "", `-l ${flag.name}`, flag.takesValue ? "-r" : "", `-d ${fishQuoted(flag.description)}`]
    .filter(Boolean)
    .join(" ");
}

/** The completion script for `shell`, completing `program` (the name the binary was invoked as). */
export function completionScript(shell: CompletionShell, table: CommandTable, program: string): string {
  if (shell === "bash") return bashScript(table, program);
  if (shell === "zsh") return zshScript(table, program);
  return fishScript(table, program);
}
