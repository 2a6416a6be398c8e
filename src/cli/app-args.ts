// The app list of `rkt run` / `rkt prepare` (rkt-cli §1.4):
//   IMAGE [--exec=PATH] [--signature=FILE] [-- ARGS... [---]] IMAGE ...
// with the command's other flags allowed anywhere between images.
import type { AppArg } from "../pod";
import { UsageError } from "./errors";
import { isFlagToken, readFlag, refuseShorthandFlag, type FlagDefs, type FlagValues } from "./flags";

export interface AppArgOptions {
  /** `fetch` takes no `--` block. */
  allowAppArgs?: boolean;
}

/**
 * Reads `tokens` left to right: command flags into `values` (already holding defaults
 * and the globals read before the command name), images and their per-app flags into
 * the returned list.
 */
export function parseAppArgs(tokens: string[], defs: FlagDefs, values: FlagValues, opts: AppArgOptions = {}): AppArg[] {
  const apps: AppArg[] = [];
  const withArgs = new Set<AppArg>();
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    const last = apps[apps.length - 1];
    if (token === "--") {
      if (opts.allowAppArgs === false) throw new UsageError("app arguments unsupported");
      if (!last) throw new UsageError("an image is required before any app arguments");
      if (withArgs.has(last)) throw new UsageError("only one set of app arguments allowed per image");
      withArgs.add(last);
      i++;
      while (i < tokens.length && tokens[i] !== "---") last.args.push(tokens[i++]!);
      i++; // the closing `---`, if any
      continue;
    }
    if (token === "---") {
      i++;
      continue;
    }
    if (!isFlagToken(token)) {
      refuseShorthandFlag(token);
      apps.push({ image: token, args: [] });
      i++;
      continue;
    }
    const name = flagName(token);
    if (name === "exec" || name === "signature") {
      i = readPerAppFlag(tokens, i, name, last);
      continue;
    }
    i = readFlag(tokens, i, defs, values);
  }
  return apps;
}

function flagName(token: string): string {
  const eq = token.indexOf("=");
  return token.slice(2, eq === -1 ? undefined : eq);
}

const perAppDefs: FlagDefs = {
  exec: { type: "string" },
  signature: { type: "string" },
};

function readPerAppFlag(tokens: string[], index: number, name: "exec" | "signature", app: AppArg | undefined): number {
  const scratch: FlagValues = {};
  const next = readFlag(tokens, index, perAppDefs, scratch);
  const value = scratch[name] as string;
  if (!app) throw new UsageError(`--${name} must follow an image`);
  if (app[name] !== undefined) throw new UsageError(`--${name} specified multiple times for the same image`);
  if (name === "exec" && !value.startsWith("/")) throw new UsageError("--exec must be absolute path");
  app[name] = value;
  return next;
}

/** True when `--help`/`-h` stands among the flags (not inside a `--` block). */
export function asksForHelp(tokens: string[]): boolean {
  let inArgs = false;
  for (const t of tokens) {
    if (t === "--") inArgs = true;
    else if (t === "---") inArgs = false;
    else if (!inArgs && (t === "--help" || t === "-h")) return true;
  }
  return false;
}
