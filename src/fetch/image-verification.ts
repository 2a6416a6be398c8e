// An image's signature checked against the keys trusted for its name, with failures that
// say what to do: trust the signer for that name, or skip the check.
import { SKIP_IMAGE_VERIFICATION_FLAG } from "../insecure-flag-hints";
import { checkDetachedSignature, checkSignerTrusted, keyringFor, UntrustedSignerError, type KeystoreDirs } from "../trust";

/** Verifies `signature` over `data` with the keys trusted for `name`; returns the signer's identities. */
export function verifyImageSignature(keystore: KeystoreDirs, name: string, data: ReadableStream<Uint8Array>, signature: Uint8Array): Promise<string[]> {
  return explainingUntrustedSigner(name, async () => checkDetachedSignature(await keyringFor(keystore, name), data, signature));
}

/** Fails unless a key trusted for `name` made `signature`, before the image is downloaded. */
export function checkImageSignerTrusted(keystore: KeystoreDirs, name: string, signature: Uint8Array): Promise<void> {
  return explainingUntrustedSigner(name, async () => checkSignerTrusted(await keyringFor(keystore, name), signature));
}

/** An image without a signature at `location` (a file or a URL). */
export function unsignedImageError(name: string, location: string): Error {
  return new Error(`image "${name}" has no signature at ${location}: give one with --signature=FILE and ${trustHint(name, "its signer")}`);
}

async function explainingUntrustedSigner<T>(name: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (!(err instanceof UntrustedSignerError)) throw err;
    const keys = `key${err.keyIds.length > 1 ? "s" : ""} ${err.keyIds.join(", ")}`;
    throw new Error(`image "${name}" is signed by ${keys}, not trusted for that name: ${trustHint(name, "the key")}`);
  }
}

/** `trust WHO with 'rkt trust --prefix=NAME KEY', or skip verification with FLAG`. */
function trustHint(name: string, who: string): string {
  return `trust ${who} with 'rkt trust --prefix=${name} KEY', or skip verification with ${SKIP_IMAGE_VERIFICATION_FLAG}`;
}
