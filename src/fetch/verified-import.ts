// Importing a local image file only once its signature checks out (rkt-cli.md §2.1):
// nothing unverified enters the store. The manifest name (which picks the keyring), the
// signature check and the import all read one pinned copy of the file, so it cannot be
// swapped or rewritten between the check and the import.
import { closeSync, copyFileSync, fstatSync, mkdtempSync, openSync, rmSync, type Stats } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAciManifest } from "../appc";
import type { Store } from "../store";
import { signatureVerifiedMessage, type KeystoreDirs } from "../trust";
import { verifyImageSignature } from "./image-verification";
import { readSignatureFile } from "./signature-file";

export interface VerifiedImportOptions {
  /** `--signature=FILE`; else `<file minus .aci>.aci.asc` beside the image. */
  signature?: string;
  keystore: KeystoreDirs;
  /** Hears of the good signature (the lines naming its signer) before the image is imported. */
  onSignatureVerified: (message: string) => void;
}

export async function importVerifiedFile(store: Store, path: string, opts: VerifiedImportOptions): Promise<string> {
  return withPinnedFile(path, async (pinned) => {
    const { name } = await readAciManifest(pinned);
    const signature = readSignatureFile(opts.signature ?? `${path.replace(/\.aci$/, "")}.aci.asc`, name);
    const identities = await verifyImageSignature(opts.keystore, name, Bun.file(pinned).stream(), signature);
    opts.onSignatureVerified(signatureVerifiedMessage(identities));
    return (await store.importAci(pinned)).key;
  });
}

/**
 * Runs `fn` on a path that names exactly the bytes of `path` as opened now: the open file
 * itself when only we can write it, else a private copy. Error messages name `path`.
 */
async function withPinnedFile<T>(path: string, fn: (pinned: string) => Promise<T>): Promise<T> {
  const fd = openSync(path, "r");
  let copyDir: string | undefined;
  try {
    let pinned = `/proc/self/fd/${fd}`;
    if (!onlyWeCanWrite(fstatSync(fd))) {
      copyDir = mkdtempSync(join(tmpdir(), "rkt-verify-"));
      pinned = join(copyDir, "image.aci");
      copyFileSync(`/proc/self/fd/${fd}`, pinned);
    }
    try {
      return await fn(pinned);
    } catch (err) {
      if (err instanceof Error) err.message = err.message.replaceAll(pinned, path);
      throw err;
    }
  } finally {
    closeSync(fd);
    if (copyDir) rmSync(copyDir, { recursive: true, force: true });
  }
}

function onlyWeCanWrite(stats: Stats): boolean {
  return stats.uid === process.geteuid?.() && (stats.mode & 0o022) === 0;
}
