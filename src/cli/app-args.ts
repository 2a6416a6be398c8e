// The app list of `rkt run` / `rkt prepare` (rkt-cli §1.4):
//   IMAGE [--exec=PATH] [--signature=FILE] [-- ARGS... [---]] IMAGE ...
// with the command's other flags allowed anywhere between images, and rkt 1.x's per-app
// `--memory`, `--cpu`, `--user`, `--group` after their image.
// By their files, not through the appc index, which would load all of appc at start-up.
import { controlCharacterProblem } from "../appc/control-characters";
import { parseQuantity } from "../appc/quantity";
import type { AppArg } from "../pod";
import { UsageError } from "./errors";
import { isFlagToken, parseFlagValue, readFlag, refuseShorthandFlag, type FlagDefs, type FlagValues } from "./flags";

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
    if (isPerAppFlag(name)) {
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

/** The flags that belong to the image before them, with what each checks of its value. */
const perAppFlags = {
  // Relative: found in the app's rootfs at prepare time (src/pod/exec-path.ts).
  exec: (value: string) => {
    if (value === "") throw new Error("must name a program");
  },
  signature: () => {},
  memory: quantity,
  cpu: quantity,
  user: userOrGroup,
  group: userOrGroup,
};
type PerAppFlag = keyof typeof perAppFlags;

/** The flag definitions of the per-app flags, for help texts and the parser. */
export const perAppFlagDefs: Record<PerAppFlag, FlagDefs[string]> = {
  exec: { type: "string", description: "override the exec command of the preceding image: a path, or a name found in the app's PATH" },
  signature: { type: "string", description: "local signature file of the preceding image" },
  memory: { type: "string", description: "memory limit of the preceding image's app (resource/memory isolator), e.g. 64M, 1Gi" },
  cpu: { type: "string", description: "CPU limit of the preceding image's app (resource/cpu isolator), e.g. 500m, 2" },
  user: { type: "string", description: "user of the preceding image's app: a name or uid of its image" },
  group: { type: "string", description: "group of the preceding image's app: a name or gid of its image" },
};

function isPerAppFlag(name: string): name is PerAppFlag {
  return Object.hasOwn(perAppFlags, name);
}

function quantity(value: string): void {
  if (parseQuantity(value) === 0) throw new Error("must be more than zero");
}

function userOrGroup(value: string): void {
  if (value === "") throw new Error("must not be empty");
  const problem = controlCharacterProblem(value);
  if (problem) throw new Error(problem);
}

function readPerAppFlag(tokens: string[], index: number, name: PerAppFlag, app: AppArg | undefined): number {
  const scratch: FlagValues = {};
  const next = readFlag(tokens, index, perAppFlagDefs, scratch);
  const value = scratch[name] as string;
  if (!app) throw new UsageError(`--${name} must follow an image`);
  if (app[name] !== undefined) throw new UsageError(`--${name} specified multiple times for the same image`);
  parseFlagValue(name, value, perAppFlags[name]);
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
