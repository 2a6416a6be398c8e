// openpgp costs tens of milliseconds to load, so it is imported only when a key or a
// signature is actually read: `rkt version` and `rkt run <image ID>` never pay for it.
export type OpenPgp = typeof import("openpgp");
export type PublicKey = import("openpgp").PublicKey;

let loaded: Promise<OpenPgp> | undefined;

export function loadOpenPgp(): Promise<OpenPgp> {
  loaded ??= import("openpgp");
  return loaded;
}

/** Armored OpenPGP data starts with a `-----BEGIN PGP ...` line (possibly after blank lines). */
export function isArmored(data: Uint8Array): boolean {
  const head = new TextDecoder().decode(data.subarray(0, 256)).trimStart();
  return head.startsWith("-----BEGIN PGP ");
}
