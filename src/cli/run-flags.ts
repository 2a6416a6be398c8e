// The flags of run and run-prepared that say how a pod starts, and the options they make
// for runPod.
import { flagGiven, parseFlagValue, type FlagDefs, type FlagValues } from "./flags";
import type { Globals } from "./globals";
import { ALL_NETWORKS } from "../net";
import { parseInsecureRunOptions } from "../pod";

export const podStartFlagDefs: FlagDefs = {
  "private-net": { type: "string", optionalValue: ALL_NETWORKS, description: "give pod a private network: all networks, or =NET1,NET2,..." },
  interactive: { type: "boolean", default: false, description: "run pod interactively" },
  "mds-register": { type: "boolean", default: true, description: "register pod with metadata service" },
  "insecure-options": { type: "string", description: "switch off parts of the apps' confinement for this pod: seccomp, no-new-privs (comma-separated)" },
};

/** runPod's options from the flags above; a bad `--insecure-options` list is a usage error. */
export function podStartOptionsFrom(values: FlagValues, rawArgs: readonly string[], globals: Globals) {
  const insecure = values["insecure-options"] as string | undefined;
  return {
    privateNet: values["private-net"] as string | undefined,
    // Given explicitly, a registration that fails fails the run; by default it only warns.
    mdsRegister: values["mds-register"] ? { required: flagGiven(rawArgs, "mds-register") } : undefined,
    debug: globals.debug,
    interactive: values.interactive as boolean,
    localConfig: globals.localConfig,
    insecureOptions: insecure === undefined ? undefined : parseFlagValue("insecure-options", insecure, parseInsecureRunOptions),
  };
}
