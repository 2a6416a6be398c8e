import { UsageError } from "./errors";
import type { FlagDefs, FlagValues } from "./flags";
import { parsePodEtcFlags, type PodEtcChoices } from "../pod";

/** rkt 1.x's flags for the apps' resolv.conf and hosts (run, prepare, run-prepared). */
export const podEtcFlagDefs: FlagDefs = {
  dns: { type: "string", repeatable: true, description: "name servers to write in /etc/resolv.conf; 'host' for the host's resolv.conf, 'none' for no resolv.conf of rkt's" },
  "dns-search": { type: "string", repeatable: true, description: "DNS search domains to write in /etc/resolv.conf" },
  "dns-opt": { type: "string", repeatable: true, description: "DNS options to write in /etc/resolv.conf" },
  "dns-domain": { type: "string", description: "DNS domain to write in /etc/resolv.conf" },
  "hosts-entry": { type: "string", repeatable: true, description: "entries to add to the pod-wide /etc/hosts: IP=NAME[,IP=NAME...]; 'host' for the host's /etc/hosts" },
};

/** The choices of those flags; a bad value is a usage error (exit 2) naming the flag. */
export function podEtcChoicesFrom(values: FlagValues): PodEtcChoices {
  const list = (name: string) => (values[name] as string[] | undefined) ?? [];
  try {
    return parsePodEtcFlags({
      dns: list("dns"),
      dnsSearch: list("dns-search"),
      dnsOpt: list("dns-opt"),
      dnsDomain: values["dns-domain"] as string | undefined,
      hostsEntries: list("hosts-entry"),
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
