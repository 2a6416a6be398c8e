// Finding keys by appc meta discovery (`ac-discovery-pubkeys`, appc.md §3.4): for
// `rkt trust --prefix=P` without keys (rkt-cli.md §3.5), and for the automatic trust of a
// discovered image's keys over HTTPS during fetch (rkt-internals.md §7.4).
import { discoverPublicKeys } from "../appc";
import { keyClient, readKeyLocation } from "./key-location";
import { keyringFor, storeTrustedKey, type KeystoreDirs } from "./keystore";
import { describeKey, readPublicKey } from "./public-key";

/** The key URLs announced for `prefix`; http pages are read only with `allowHttp`. */
export async function discoverKeyLocations(prefix: string, opts: { allowHttp: boolean }): Promise<string[]> {
  let locations: string[];
  try {
    locations = await discoverPublicKeys(prefix, { allowHttp: opts.allowHttp, get: keyClient(opts) });
  } catch (err) {
    throw new Error(`Error determining key location: prefix meta discovery error: ${(err as Error).message}`);
  }
  if (locations.length === 0) throw new Error(`meta discovery on ${prefix} resulted in no keys`);
  return locations;
}

/**
 * Trusts, for the prefix `name`, every key its discovery offers over HTTPS that the
 * keyring for `name` does not hold yet, without review. Problems are only reported:
 * the signature check that follows decides.
 */
export async function trustDiscoveredKeys(name: string, dirs: KeystoreDirs, report: (message: string) => void): Promise<void> {
  try {
    const known = new Set((await keyringFor(dirs, name)).map((key) => key.fingerprint));
    for (const location of await discoverKeyLocations(name, { allowHttp: false })) {
      const { data } = await readKeyLocation(location, { allowHttp: false });
      const key = await readPublicKey(data, location);
      if (known.has(key.fingerprint)) {
        report(`Key ${JSON.stringify(location)} already in the keystore\n`);
        continue;
      }
      report(describeKey(name, location, key));
      report(`Trusting ${JSON.stringify(location)} for prefix ${JSON.stringify(name)} without fingerprint review.\n`);
      const path = storeTrustedKey(dirs.localConfig, { kind: "prefix", prefix: name }, key, data);
      report(`Added key for prefix ${JSON.stringify(name)} at ${JSON.stringify(path)}\n`);
      known.add(key.fingerprint);
    }
  } catch (err) {
    report(`rkt: ${(err as Error).message}\n`);
  }
}
