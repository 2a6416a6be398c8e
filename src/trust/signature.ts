// Checking a detached signature over an image file (rkt-internals.md §7.3), with the
// messages rkt users know (rkt-cli.md §2.1).
import { isArmored, loadOpenPgp, type OpenPgp } from "./openpgp";
import type { TrustedKey } from "./public-key";

type Signature = Awaited<ReturnType<OpenPgp["readSignature"]>>;

/** No trusted key made the signature: carries the IDs of the keys that did, for the user to look up and trust. */
export class UntrustedSignerError extends Error {
  constructor(readonly keyIds: string[]) {
    super(`openpgp: signature made by unknown entity (key ID ${keyIds.join(", ")})`);
    this.name = "UntrustedSignerError";
  }
}

/**
 * Verifies `signature` (armored, else binary) over `data` with the keys of `keyring`;
 * returns the signer's identities. `data` may be a stream, so big images are not held
 * in memory.
 */
export async function checkDetachedSignature(keyring: TrustedKey[], data: Uint8Array | ReadableStream<Uint8Array>, signature: Uint8Array): Promise<string[]> {
  const openpgp = await loadOpenPgp();
  const parsed = await parseSignature(openpgp, signature);
  const signer = trustedSigner(keyring, parsed);
  const message = await openpgp.createMessage({ binary: data });
  const result = await openpgp.verify({ message, signature: parsed, verificationKeys: [signer.key], format: "binary" });
  await drain(result.data);
  const verdicts = result.signatures.filter((s) => signer.key.getKeys(s.keyID).length > 0);
  if (verdicts.length === 0) throw new UntrustedSignerError(signingKeyIds(parsed));
  try {
    for (const verdict of verdicts) await verdict.verified;
  } catch (err) {
    throw new Error(`openpgp: invalid signature: ${(err as Error).message}`);
  }
  return signer.identities;
}

/**
 * Fails unless a key of `keyring` made `signature`: lets a discovery fetch give up before
 * downloading an image nobody trusted signed (rkt-internals.md §7.3).
 */
export async function checkSignerTrusted(keyring: TrustedKey[], signature: Uint8Array): Promise<void> {
  trustedSigner(keyring, await parseSignature(await loadOpenPgp(), signature));
}

/** The first trusted key (in keyring order) that made one of the signatures: it vouches for the file, and every signature it made must hold. */
function trustedSigner(keyring: TrustedKey[], parsed: Signature): TrustedKey {
  const issuerIds = parsed.getSigningKeyIDs();
  const signer = keyring.find((trusted) => issuerIds.some((id) => trusted.key.getKeys(id).length > 0));
  if (!signer) throw new UntrustedSignerError(signingKeyIds(parsed));
  return signer;
}

/** The 16-digit key IDs gpg shows (`gpg --list-keys --keyid-format long`), upper case. */
function signingKeyIds(parsed: Signature): string[] {
  return parsed.getSigningKeyIDs().map((id) => id.toHex().toUpperCase());
}

async function parseSignature(openpgp: OpenPgp, signature: Uint8Array): Promise<Signature> {
  try {
    const parsed = isArmored(signature)
      ? await openpgp.readSignature({ armoredSignature: new TextDecoder().decode(signature) })
      : await openpgp.readSignature({ binarySignature: signature });
    if (parsed.getSigningKeyIDs().length > 0) return parsed;
  } catch {
    // Unreadable signature data: reported below, as rkt does.
  }
  throw new Error("keystore: no valid signatures found in signature file");
}

/** A streamed message is hashed as it is read; the verdicts settle once it is read to the end. */
async function drain(data: unknown): Promise<void> {
  if (data instanceof ReadableStream) {
    const reader = data.getReader();
    while (!(await reader.read()).done);
  }
}

/** What fetch prints on stderr after a good signature: a header and one indented line per identity. */
export function signatureVerifiedMessage(identities: string[]): string {
  return `rkt: signature verified:\n${identities.map((identity) => `  ${identity}`).join("\n")}\n`;
}
