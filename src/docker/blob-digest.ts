// Content digests of image blobs (`sha256:HEX`, `sha512:HEX`), as registries and image
// layouts name them: checked in form before a digest becomes a path or a request, and
// against the bytes that arrive.

const DIGEST = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

/** Refuses anything but `sha256:` or `sha512:` with lowercase hex of the right length. */
export function checkDigestForm(digest: string): void {
  if (!DIGEST.test(digest)) throw new Error(`unsupported digest "${digest}" (sha256 or sha512 in lowercase hex needed)`);
}

export function digestAlgorithm(digest: string): "sha256" | "sha512" {
  checkDigestForm(digest);
  return digest.slice(0, digest.indexOf(":")) as "sha256" | "sha512";
}

export function digestHex(digest: string): string {
  return digest.slice(digest.indexOf(":") + 1);
}

/** A hasher for `digest`'s algorithm. */
export function hasherFor(digest: string): Bun.CryptoHasher {
  return new Bun.CryptoHasher(digestAlgorithm(digest));
}

/** `mismatch` says where the content came from: `the registry sent other content`. */
export function checkDigest(expected: string, actualHex: string, mismatch: string): void {
  if (digestHex(expected) !== actualHex) throw new Error(`digest mismatch for ${expected}: ${mismatch}`);
}

export function checkBytes(digest: string, bytes: Uint8Array, mismatch: string): void {
  checkDigest(digest, hasherFor(digest).update(bytes).digest("hex"), mismatch);
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;
}
