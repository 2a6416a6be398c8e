// The flags of run and run-prepared that say how a pod starts, and the options they make
// for runPod.
import { UsageError } from "./errors";
import { flagGiven, type FlagDefs, type FlagValues } from "./flags";
import type { Globals } from "./globals";
// By its file: the net index would load the CNI and namespace code with every run and prepare.
import { ALL_NETWORKS, NO_NETWORK } from "../net/network-config";

/** rkt 1.x's network spelling: its bare form is the `default` network, `host` the host's. */
const NET_DEFAULT = "default";
const NET_HOST = "host";

export const podStartFlagDefs: FlagDefs = {
  "private-net": { type: "string", optionalValue: ALL_NETWORKS, description: "give pod a private network: all networks, or =NET1,NET2,..." },
  net: { type: "string", optionalValue: NET_DEFAULT, description: "networks to join (bare: default), =host for the host's network, =none for loopback only; with it the pod registers with the metadata service only if --mds-register is given" },
  interactive: { type: "boolean", default: false, description: "run pod interactively" },
  "mds-register": { type: "boolean", default: true, description: "register pod with metadata service (default false with --net)" },
};

/**
 * The `--private-net` selection the flags ask for, undefined for the host's network:
 * `--private-net[=LIST]` (v0.8.0) or `--net[=LIST|host]` (rkt 1.x), not both.
 */
export function privateNetOf(values: FlagValues): string | undefined {
  const privateNet = values["private-net"] as string | undefined;
  const net = values.net as string | undefined;
  if (net === undefined) return privateNet;
  if (privateNet !== undefined) throw new UsageError("--net and --private-net are two spellings of one choice: give one");
  if (net === NET_HOST) return undefined;
  const names = net.split(",");
  for (const alone of [NET_HOST, NO_NETWORK]) {
    if (names.includes(alone) && names.length > 1) throw new UsageError(`--net ${JSON.stringify(net)}: "${alone}" cannot be combined with other networks`);
  }
  const withArgs = names.find((n) => n.includes(":"));
  if (withArgs) throw new UsageError(`--net ${JSON.stringify(net)}: per-network arguments ("${withArgs}") are not supported: put them in the network's config file`);
  return net;
}

/** runPod's options from the flags above and the globals (`--insecure-options` among them). */
export function podStartOptionsFrom(values: FlagValues, rawArgs: readonly string[], globals: Globals) {
  // rkt 1.x registers only when asked: its default applies to its spelling of the network flag.
  const mdsByDefault = values.net === undefined;
  const mdsGiven = flagGiven(rawArgs, "mds-register");
  return {
    privateNet: privateNetOf(values),
    // Given explicitly, a registration that fails fails the run; by default it only warns.
    mdsRegister: values["mds-register"] && (mdsGiven || mdsByDefault) ? { required: mdsGiven } : undefined,
    debug: globals.debug,
    interactive: values.interactive as boolean,
    localConfig: globals.localConfig,
    insecureOptions: globals.insecureRunOptions,
  };
}
