// Image IDs (`sha512-<hex>`, appc.md §1) and rkt's store keys: `sha512-` + the first 64
// hex characters of the digest.

const STORE_KEY_HEX = 64;
const SHORT_ID_LENGTH = 39;
const MIN_PREFIX_HEX = 2;

/** Why `s` is not an image ID (hash) in the reference's sense, or undefined. */
export function imageIdProblem(s: string): string | undefined {
  const parts = s.split("-");
  if (parts.length !== 2) return `"${s}" is not an image ID: expected sha512-<hex>`;
  if (parts[0] !== "sha512") return `"${s}": unsupported hash algorithm "${parts[0]}" (only sha512)`;
  if (parts[1] === "") return `"${s}": empty hash value`;
  return undefined;
}

/** True for anything of the form `sha512-<value>` (the value is not checked, as in the reference). */
export function isImageId(s: string): boolean {
  return imageIdProblem(s) === undefined;
}

/** The full image ID of a SHA-512 digest given in hex. */
export function imageIdFromDigest(hexDigest: string): string {
  return `sha512-${hexDigest.toLowerCase()}`;
}

/**
 * The store key (or key prefix) for an ID given by a user: lower-cased, hex checked,
 * truncated to 64 hex chars. Needs at least 2 hex chars.
 */
export function normalizeImageKey(id: string): string {
  const problem = imageIdProblem(id);
  if (problem) throw new Error(problem);
  const hex = id.slice("sha512-".length).toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) throw new Error(`"${id}" is not an image ID: the hash must be hexadecimal`);
  if (hex.length < MIN_PREFIX_HEX) throw new Error(`image ID "${id}" is too short: give at least sha512- and ${MIN_PREFIX_HEX} hex characters`);
  return `sha512-${hex.slice(0, STORE_KEY_HEX)}`;
}

/** The short form printed by `rkt fetch`: `sha512-` + 32 hex chars. */
export function shortImageId(id: string): string {
  return id.slice(0, SHORT_ID_LENGTH);
}
