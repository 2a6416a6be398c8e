// App environments: `--set-env` values, the merge of rkt-cli §3.1.3 (inherited <
// image < --set-env) written into the pod manifest, and the final environment stage1
// gives the app (appc.md §6.4 defaults plus AC_APP_NAME, AC_METADATA_URL, container).
import { controlCharacterProblem, type EnvVar } from "../appc";
// The socket-activation variables describe descriptors passed to rkt itself (stage1 hands
// those through to apps and sets the apps' own), so they are never inherited.
import { SOCKET_ACTIVATION_VARIABLES } from "../sys";

/** One `NAME=VALUE` assignment of an app's environment. */
export function parseEnvAssignment(text: string): EnvVar {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new Error("environment variable must be specified as name=value");
  const name = text.slice(0, eq);
  const problem = controlCharacterProblem(name);
  if (problem) throw new Error(`the variable name ${problem}`);
  return { name, value: text.slice(eq + 1) };
}

/** Sets `name` in `vars` (replacing in place, keeping order) or appends it. */
function setVar(vars: EnvVar[], name: string, value: string): void {
  const existing = vars.find((v) => v.name === name);
  if (existing) existing.value = value;
  else vars.push({ name, value });
}

/**
 * The app environment written into the pod manifest: the image's list with `--set-env`
 * values over it, then (with `--inherit-env`) rkt's own variables not named by either,
 * except those of socket activation.
 */
export function mergeAppEnvironment(
  image: readonly EnvVar[] | undefined,
  setEnv: readonly EnvVar[],
  inherited?: Record<string, string | undefined>,
): EnvVar[] {
  const merged = (image ?? []).map((v) => ({ ...v }));
  for (const v of setEnv) setVar(merged, v.name, v.value);
  if (inherited) {
    for (const [name, value] of Object.entries(inherited)) {
      if (value === undefined || SOCKET_ACTIVATION_VARIABLES.includes(name)) continue;
      if (!merged.some((v) => v.name === name)) merged.push({ name, value });
    }
  }
  return merged;
}

/** Set for every app unless its environment names them (appc.md §6.4, rkt's values). */
const DEFAULT_APP_ENVIRONMENT: readonly EnvVar[] = [
  { name: "PATH", value: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
  { name: "SHELL", value: "/bin/sh" },
  { name: "USER", value: "root" },
  { name: "LOGNAME", value: "root" },
  { name: "HOME", value: "/root" },
];

/**
 * The complete environment stage1 gives the app: defaults where unset, the app's list,
 * then the variables the executor always sets.
 */
export function finalAppEnvironment(appName: string, appEnv: readonly EnvVar[] | undefined, metadataUrl: string): EnvVar[] {
  const env = DEFAULT_APP_ENVIRONMENT.filter((d) => !appEnv?.some((v) => v.name === d.name)).map((v) => ({ ...v }));
  for (const v of appEnv ?? []) setVar(env, v.name, v.value);
  setVar(env, "AC_APP_NAME", appName);
  setVar(env, "AC_METADATA_URL", metadataUrl);
  setVar(env, "container", "rkt");
  return env;
}
