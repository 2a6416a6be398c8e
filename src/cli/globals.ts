import { resolve } from "node:path";
import { parseFlagValue, type FlagDefs, type FlagValues } from "./flags";
import { NO_INSECURE_OPTIONS, parseInsecureOptions } from "./insecure-options";

/** Flags valid for every command, before or after the command name. */
export const globalFlagDefs: FlagDefs = {
  dir: { type: "string", default: "/var/lib/rkt", description: "rkt data directory" },
  "system-config": { type: "string", default: "/usr/lib/rkt", description: "system configuration directory" },
  "local-config": { type: "string", default: "/etc/rkt", description: "local configuration directory" },
  "insecure-skip-verify": {
    type: "boolean",
    default: false,
    description: "skip image or key verification (the same as --insecure-options=image,tls,http)",
  },
  "insecure-options": {
    type: "string",
    description: "comma-separated list of security features to disable: none, image, tls, ondisk, http, pubkey, seccomp, no-new-privs, all-fetch, all-run, all",
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
  /** No signature check of images (`--insecure-skip-verify`, `--insecure-options=image`). */
  insecureSkipVerify: boolean;
  /** Any TLS certificate accepted (`--insecure-skip-verify`, `--insecure-options=tls`). */
  insecureTls: boolean;
  /** Plain-http discovery and https→http redirects (`--insecure-skip-verify`, `--insecure-options=http`). */
  insecureHttp: boolean;
  /** `rkt trust` may fetch keys over plain http (`--insecure-options=pubkey`). */
  insecurePubkey: boolean;
  /** The apps' confinement parts switched off for a pod (`--insecure-options=seccomp,no-new-privs`). */
  insecureRunOptions: string[];
  trustKeysFromHttps: boolean;
  debug: boolean;
}

export function globalsFrom(values: FlagValues): Globals {
  const skipVerify = values["insecure-skip-verify"] as boolean;
  const list = values["insecure-options"] as string | undefined;
  const insecure = list === undefined ? NO_INSECURE_OPTIONS : parseFlagValue("insecure-options", list, parseInsecureOptions);
  return {
    // Absolute: pods are entered and exec'ed from other working directories. "" keeps its meaning (a temp dir).
    dir: values.dir === "" ? "" : resolve(values.dir as string),
    systemConfig: values["system-config"] as string,
    localConfig: values["local-config"] as string,
    insecureSkipVerify: skipVerify || insecure.image,
    insecureTls: skipVerify || insecure.tls,
    insecureHttp: skipVerify || insecure.http,
    insecurePubkey: insecure.pubkey,
    insecureRunOptions: insecure.run,
    trustKeysFromHttps: values["trust-keys-from-https"] as boolean,
    debug: values.debug as boolean,
  };
}
