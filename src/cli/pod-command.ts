// What `run` and `prepare` share: the flags that build a pod, parsing their raw command
// line into apps and flags, and preparing the pod from it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asksForHelp, parseAppArgs, perAppFlagDefs } from "./app-args";
import type { RawRunContext, RktCommandSpec } from "./command";
import { ExitCode, RktError, UsageError } from "./errors";
import { flagDefaults, parseFlagValue, type FlagDefs, type FlagValues } from "./flags";
import { globalFlagDefs, type Globals } from "./globals";
import { printErr, printOut } from "./output";
import { privateNetOf } from "./run-flags";
import { podEtcChoicesFrom, podEtcFlagDefs } from "./pod-etc-flags";
import { parseMountFlag, parsePortFlag, parseVolumeFlag } from "./pod-flag-values";
import { fetchImage } from "../fetch";
import {
  PodSetupError,
  checkPrepareRequest,
  namesImagesById,
  parseEnvAssignment,
  preparePod,
  type AppArg,
  type PrepareRequest,
} from "../pod";
import { Store } from "../store";
import type { EnvVar } from "../appc";

/** Flags of `run` and `prepare` that build the pod (rkt-cli §3.1, §3.2). */
export const podBuildFlags: FlagDefs = {
  "stage1-image": { type: "string", description: "image to use as stage1: a hash, path, name or URL" },
  volume: { type: "string", repeatable: true, description: "volumes to mount into the pod: NAME,kind=host,source=PATH[,readOnly=BOOL] or NAME,kind=empty" },
  mount: { type: "string", repeatable: true, description: "mount a pod volume in every app: volume=NAME,target=PATH" },
  port: { type: "string", repeatable: true, description: "ports to expose on the host (requires --private-net or --net): NAME:HOSTPORT" },
  "inherit-env": { type: "boolean", default: false, description: "inherit all environment variables not set by apps" },
  "set-env": { type: "string", repeatable: true, description: "an environment variable to set for apps in the form name=value" },
  ...perAppFlagDefs,
  local: { type: "boolean", default: false, description: "use only local images (do not discover or download from remote URLs)" },
  "no-overlay": { type: "boolean", default: false, description: "disable overlay filesystem" },
  "private-users": { type: "boolean", default: false, description: "run within user namespaces (experimental; needs --no-overlay)" },
  "pod-manifest": { type: "string", description: "the path to the pod manifest; if non-empty, other images and pod flags are not allowed" },
  ...podEtcFlagDefs,
};

export interface ParsedPodCommand {
  values: FlagValues;
  apps: AppArg[];
  globals: Globals;
}

/**
 * Parses a raw `run`/`prepare` command line: the app list with flags anywhere, merged
 * over the global flags the dispatcher read before the command name. Returns undefined
 * after printing help for `--help`.
 */
export async function parsePodCommand(ctx: RawRunContext, spec: RktCommandSpec): Promise<ParsedPodCommand | undefined> {
  if (asksForHelp(ctx.rawArgs)) {
    await printOut(ctx.help());
    return undefined;
  }
  const defs: FlagDefs = { ...globalFlagDefs, ...spec.args };
  const values: FlagValues = { ...flagDefaults(defs), ...ctx.args };
  const apps = parseAppArgs(ctx.rawArgs, defs, values);
  const globals = ctx.globalsFrom(values);
  return { values, apps, globals };
}

/** `--dir=""` means a fresh temporary data directory for this pod (rkt-cli §1.2). */
export function dataDirOf(globals: Globals): string {
  return globals.dir === "" ? mkdtempSync(join(tmpdir(), "rkt-")) : globals.dir;
}

/** `--set-env` values in order; a variable given twice is refused, as in rkt. */
function setEnvFlags(values: readonly string[]): EnvVar[] {
  const vars: EnvVar[] = [];
  for (const value of values) {
    const assignment = parseFlagValue("set-env", value, parseEnvAssignment);
    if (vars.some((v) => v.name === assignment.name)) throw new UsageError(`--set-env ${JSON.stringify(value)}: variable "${assignment.name}" already set`);
    vars.push(assignment);
  }
  return vars;
}

/** The PrepareRequest of the pod-building flags; flag-level mistakes are usage errors. */
export function prepareRequestFrom(command: "run" | "prepare", values: FlagValues, apps: AppArg[], globals: Globals): PrepareRequest {
  const list = (name: string) => (values[name] as string[] | undefined) ?? [];
  // Each value of a repeatable flag is parsed on its own, so that a refused one is named.
  const each = <T>(flag: string, parse: (value: string) => T): T[] => list(flag).map((value) => parseFlagValue(flag, value, parse));
  const req: PrepareRequest = {
    apps,
    podManifestFile: values["pod-manifest"] as string | undefined,
    stage1Image: values["stage1-image"] as string | undefined,
    volumes: each("volume", parseVolumeFlag),
    mounts: each("mount", parseMountFlag),
    ports: each("port", parsePortFlag),
    setEnv: setEnvFlags(list("set-env")),
    podEtc: podEtcChoicesFrom(values),
    inheritedEnv: values["inherit-env"] ? { ...process.env } : undefined,
    local: values.local as boolean,
    insecureSkipVerify: globals.insecureSkipVerify,
    noOverlay: values["no-overlay"] as boolean,
    privateUsers: values["private-users"] as boolean,
    durable: command === "prepare",
    metadataUrl: "",
  };
  if (command === "run" && req.ports.length > 0 && privateNetOf(values) === undefined) throw new UsageError("--port flag requires --private-net (or --net)");
  try {
    checkPrepareRequest(req);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return req;
}

/** Errors after the pod exists exit 254 and name the pod, so scripts can tell them from bad input (rkt-cli §1.5). */
export async function withPodFailureCode<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof PodSetupError) throw new RktError(`pod ${err.uuid}: ${err.message}`, ExitCode.PodFailure);
    throw err;
  }
}

/**
 * Opens the store and prepares the pod (errors after the pod exists: withPodFailureCode).
 * `quiet` (prepare --quiet) hides the download progress line.
 */
export async function preparePodFromCommand(dataDir: string, req: PrepareRequest, globals: Globals, quiet = false) {
  const { systemConfig, localConfig, trustKeysFromHttps, insecureTls, insecureHttp } = globals;
  const store = Store.open(dataDir, { indexOnDemand: namesImagesById(req) });
  try {
    return await withPodFailureCode(() => preparePod(dataDir, store, req, (ref, opts) =>
      fetchImage(store, ref, {
        local: req.local,
        insecureSkipVerify: opts.stage1 === true || req.insecureSkipVerify,
        insecureTls,
        insecureHttp,
        trustKeysFromHttps,
        keystore: { systemConfig, localConfig },
        onSignatureVerified: printErr,
        signature: opts.signature,
        showProgress: !quiet,
        useRecordedByCaller: true,
      }),
    ));
  } finally {
    store.close();
  }
}
