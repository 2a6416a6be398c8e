// Trust: the keystore of trusted OpenPGP keys, checking image signatures against it, and
// reading keys for `rkt trust` (rkt-internals.md §7, rkt-cli.md §2.1, §3.5). openpgp is
// loaded only when a key or signature is read.
export { formatFingerprint } from "./fingerprint";
export { readKeyLocation, type FetchedKeyData } from "./key-location";
export { keyringFor, storeTrustedKey, type KeystoreDirs, type TrustScope } from "./keystore";
export { describeKey, readPublicKey, type TrustedKey } from "./public-key";
export { checkDetachedSignature, checkSignerTrusted, signatureVerifiedMessage, UntrustedSignerError } from "./signature";
export { discoverKeyLocations, trustDiscoveredKeys } from "./key-discovery";
