// Flag parsing with rkt's (cobra/pflag) rules, driven by citty argument declarations:
// `--flag=value` or `--flag value`; booleans `--flag` or `--flag=true|false`, never
// `--flag false`; no `--no-x` negation (rkt has real flags named --no-overlay and
// --no-legend); flags marked `repeatable` collect every value in order.
import type { ArgDef } from "citty";
// By its file, not through the appc index, which would load all of appc (and libc) at start-up.
import { parseGoBool as parseGoBoolValue } from "../appc/go-bool";
import { didYouMean } from "./did-you-mean";
import { FlagUsageError, UsageError } from "./errors";

/** `optionalValue`: the value of a bare `--flag` (pflag's NoOptDefVal); a value then needs `=`. */
export type FlagDef = ArgDef & { repeatable?: boolean; hidden?: boolean; optionalValue?: string };
export type FlagDefs = Record<string, FlagDef>;
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Go's strconv.ParseBool, as pflag uses for boolean flags; a bad value is a usage error. */
export function parseGoBool(value: string, what: string): boolean {
  const parsed = parseGoBoolValue(value);
  if (parsed === undefined) throw new FlagUsageError(`invalid argument "${value}" for ${what}: must be true or false`);
  return parsed;
}

export function isFlagToken(token: string): boolean {
  return token.startsWith("--") && token.length > 2;
}

/**
 * rkt has long flags only, so `-x` is a mistyped flag, never an image or a UUID: pflag's
 * usage error for it. A lone `-` is not a flag.
 */
export function refuseShorthandFlag(token: string): void {
  if (token.length > 1 && token[0] === "-" && token[1] !== "-") throw new FlagUsageError(`unknown shorthand flag: '${token[1]}' in ${token}`);
}

/** Whether `--name` stands on the command line (before a lone `--`), rather than defaulting. */
export function flagGiven(rawArgs: readonly string[], name: string): boolean {
  const end = rawArgs.indexOf("--");
  return (end === -1 ? rawArgs : rawArgs.slice(0, end)).some((t) => t === `--${name}` || t.startsWith(`--${name}=`));
}

/** Defaults of the declared flags, before any token is read. */
export function flagDefaults(defs: FlagDefs): FlagValues {
  const values: FlagValues = {};
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === "positional") continue;
    if (def.repeatable) values[name] = [];
    else if (def.default !== undefined) values[name] = def.default as string | boolean;
    else if (def.type === "boolean") values[name] = false;
  }
  return values;
}

/**
 * Reads the flag at tokens[index] into `values`; returns the index of the next unread
 * token. Throws a UsageError for an unknown flag or a missing value.
 */
export function readFlag(tokens: string[], index: number, defs: FlagDefs, values: FlagValues): number {
  const token = tokens[index]!;
  const eq = token.indexOf("=");
  const name = token.slice(2, eq === -1 ? undefined : eq);
  const def = defs[name];
  if (!def || def.type === "positional") {
    const known = Object.entries(defs).filter(([, d]) => d.type !== "positional" && !d.hidden).map(([n]) => n);
    throw new FlagUsageError(`unknown flag: --${name}${didYouMean(name, known, (n) => `--${n}`)}`);
  }
  let next = index + 1;
  if (def.type === "boolean") {
    values[name] = eq === -1 ? true : parseGoBool(token.slice(eq + 1), `--${name}`);
    return next;
  }
  let value: string;
  if (eq !== -1) value = token.slice(eq + 1);
  else if (def.optionalValue !== undefined) value = def.optionalValue;
  else {
    if (next >= tokens.length) throw new FlagUsageError(`flag needs an argument: --${name}`);
    value = tokens[next++]!;
  }
  if (def.type === "enum" && def.options && !def.options.includes(value)) {
    throw new FlagUsageError(`invalid argument "${value}" for --${name}: must be one of ${def.options.join(", ")}`);
  }
  if (def.repeatable) (values[name] as string[]).push(value);
  else values[name] = value;
  return next;
}

export interface ParsedTokens {
  values: FlagValues;
  positionals: string[];
  /** Tokens after a lone `--`, or after the first positional when parsing stops there. */
  rest: string[];
}

/**
 * Parses a whole token list. With `stopAtPositional`, the first non-flag token and
 * everything after it are returned untouched in `rest` (rkt enter's CMD may carry flags).
 */
export function parseTokens(
  tokens: string[],
  defs: FlagDefs,
  opts: { stopAtPositional?: boolean; initial?: FlagValues } = {},
): ParsedTokens {
  const values = { ...flagDefaults(defs), ...opts.initial };
  const positionals: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token === "--") return { values, positionals, rest: tokens.slice(i + 1) };
    if (isFlagToken(token)) {
      i = readFlag(tokens, i, defs, values);
      continue;
    }
    refuseShorthandFlag(token);
    if (opts.stopAtPositional) return { values, positionals, rest: tokens.slice(i) };
    positionals.push(token);
    i++;
  }
  return { values, positionals, rest: [] };
}

/** Go duration syntax (`30m`, `1h30m`, `24h`, `0s`, `1m30s`, `500ms`) in milliseconds. */
export function parseGoDuration(text: string, what: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (text === "0") return 0;
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    part.lastIndex = pos;
    const m = part.exec(text);
    if (!m) throw new FlagUsageError(`invalid argument "${text}" for ${what}: time: invalid duration "${text}"`);
    total += Number(m[1]) * units[m[2]!]!;
    pos = part.lastIndex;
  }
  if (pos === 0) throw new FlagUsageError(`invalid argument "${text}" for ${what}: time: invalid duration "${text}"`);
  return total;
}

/** Formats milliseconds the way Go prints a time.Duration (`30m0s`, `24h0m0s`). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * `parse(value)`; what it refuses is a usage error naming the flag and the value,
 * quoted with control characters escaped: `--volume "x,kind=nope": ...`.
 */
export function parseFlagValue<T>(flag: string, value: string, parse: (value: string) => T): T {
  try {
    return parse(value);
  } catch (err) {
    throw new UsageError(`--${flag} ${JSON.stringify(value)}: ${(err as Error).message}`);
  }
}
