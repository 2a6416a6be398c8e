import { resolve } from "node:path";
import type { FlagDefs, FlagValues } from "./flags";

/** Flags valid for every command, before or after the command name. */
export const globalFlagDefs: FlagDefs = {
  dir: { type: "string", default: "/var/lib/rkt", description: "rkt data directory" },
  "system-config": { type: "string", default: "/usr/lib/rkt", description: "system configuration directory" },
  "local-config": { type: "string", default: "/etc/rkt", description: "local configuration directory" },
  "insecure-skip-verify": {
    type: "boolean",
    default: false,
    description: "skip image or key verification",
  },
  "trust-keys-from-https": {
    type: "boolean",
    default: true,
    description: "automatically trust gpg keys fetched from https",
  },
  debug: { type: "boolean", default: false, description: "print out more debug information to stderr" },
};

export interface Globals {
  dir: string;
  systemConfig: string;
  localConfig: string;
  insecureSkipVerify: boolean;
  trustKeysFromHttps: boolean;
  debug: boolean;
}

export function globalsFrom(values: FlagValues): Globals {
  return {
    // Absolute: pods are entered and exec'ed from other working directories. "" keeps its meaning (a temp dir).
    dir: values.dir === "" ? "" : resolve(values.dir as string),
    systemConfig: values["system-config"] as string,
    localConfig: values["local-config"] as string,
    insecureSkipVerify: values["insecure-skip-verify"] as boolean,
    trustKeysFromHttps: values["trust-keys-from-https"] as boolean,
    debug: values.debug as boolean,
  };
}
