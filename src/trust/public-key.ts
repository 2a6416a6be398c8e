// Reading an OpenPGP public key file, armored or binary. As in rkt, only the file's first
// key counts.
import { formatFingerprint } from "./fingerprint";
import { isArmored, loadOpenPgp, type PublicKey } from "./openpgp";

export interface TrustedKey {
  /** Lower-case hex of the primary key's fingerprint: the key's file name in the keystore. */
  fingerprint: string;
  subkeyFingerprints: string[];
  /** User IDs, e.g. `Test Signer <signer@example.com>`. */
  identities: string[];
  key: PublicKey;
}

/** The first public key in `data`; `source` names it in errors. */
export async function readPublicKey(data: Uint8Array, source: string): Promise<TrustedKey> {
  const openpgp = await loadOpenPgp();
  let keys: PublicKey[];
  try {
    const read = isArmored(data)
      ? await openpgp.readKeys({ armoredKeys: new TextDecoder().decode(data) })
      : await openpgp.readKeys({ binaryKeys: data });
    keys = read.map((key) => key.toPublic());
  } catch {
    // openpgp's own text ("Error during parsing. This message / key probably does not conform...") says no more.
    throw new Error(`cannot read OpenPGP public key from "${source}": not an OpenPGP public key, armored or binary (export one with 'gpg --armor --export KEYID')`);
  }
  const key = keys[0];
  if (!key) throw new Error(`cannot read OpenPGP public key from "${source}": no key found`);
  return {
    fingerprint: key.getFingerprint(),
    subkeyFingerprints: key.getSubkeys().map((subkey) => subkey.getFingerprint()),
    identities: key.getUserIDs(),
    key,
  };
}

/**
 * What `rkt trust` shows before asking (rkt-cli.md §3.5): prefix, key location,
 * fingerprints, then one tab-indented line per identity.
 */
export function describeKey(prefix: string, location: string, key: TrustedKey): string {
  const lines = [`prefix: ${JSON.stringify(prefix)}`, `key: ${JSON.stringify(location)}`, `gpg key fingerprint is: ${formatFingerprint(key.fingerprint)}`];
  for (const subkey of key.subkeyFingerprints) lines.push(`    subkey fingerprint: ${formatFingerprint(subkey)}`);
  for (const identity of key.identities) lines.push(`\t${identity}`);
  return `${lines.join("\n")}\n`;
}
