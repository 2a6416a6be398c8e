// The keystore of rkt-internals.md §7: trusted keys under <config>/trustedkeys, in
// root.d/ (trusted for every image) and prefix.d/<prefix>/ (for names at or below the
// prefix), each file named by its key's fingerprint. The system config is read first and
// the local config overrides it; `rkt trust` writes only to the local one.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { isACIdentifier } from "../appc";
import { fsyncDir, writeFileDurably } from "../sys";
import { readPublicKey, type TrustedKey } from "./public-key";

export interface KeystoreDirs {
  /** --system-config (vendor keys). */
  systemConfig: string;
  /** --local-config (the admin's keys; overrides the system's). */
  localConfig: string;
}

/** Who a key is trusted for: every image, or names at or below a prefix. */
export type TrustScope = { kind: "root" } | { kind: "prefix"; prefix: string };

const KEY_DIR_MODE = 0o755;
const KEY_FILE_MODE = 0o644;

function trustedKeysDir(config: string): string {
  return join(config, "trustedkeys");
}

function scopeDir(config: string, scope: TrustScope): string {
  return scope.kind === "root" ? join(trustedKeysDir(config), "root.d") : join(trustedKeysDir(config), "prefix.d", ...scope.prefix.split("/"));
}

/**
 * The keys that may sign an image called `name`: root keys, then the keys of every prefix
 * of the name taken by whole path components (`example.com/ap` does not cover
 * `example.com/app`), system before local. A later file with the same fingerprint
 * replaces an earlier one, and an empty one removes it (distrust).
 */
export async function keyringFor(dirs: KeystoreDirs, name: string): Promise<TrustedKey[]> {
  const components = name.split("/").filter((c) => c !== "" && c !== "." && c !== "..");
  const prefixDirs = (config: string) => components.map((_, i) => join(trustedKeysDir(config), "prefix.d", ...components.slice(0, i + 1)));
  const walk = [
    join(trustedKeysDir(dirs.systemConfig), "root.d"),
    join(trustedKeysDir(dirs.localConfig), "root.d"),
    ...prefixDirs(dirs.systemConfig),
    ...prefixDirs(dirs.localConfig),
  ];
  const keyring = new Map<string, TrustedKey>();
  for (const dir of walk) {
    for (const [fileName, path] of keyFilesIn(dir)) {
      const data = readFileSync(path);
      if (data.length === 0) {
        keyring.delete(fileName);
        continue;
      }
      const key = await readPublicKey(data, path);
      if (key.fingerprint !== fileName) throw new Error(`keystore: fingerprint mismatch: "${path}" holds the key ${key.fingerprint}`);
      keyring.set(fileName, key);
    }
  }
  return [...keyring.values()];
}

/** The regular files directly in `dir`, sorted; names starting with `.` are our temp files. */
function keyFilesIn(dir: string): [string, string][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((fileName) => !fileName.startsWith("."))
    .sort()
    .map((fileName): [string, string] => [fileName, join(dir, fileName)])
    .filter(([, path]) => statSync(path).isFile());
}

/**
 * Writes a key (the bytes as received) into the local keystore for `scope`, replacing
 * one with the same fingerprint; returns its path. Crash-safe: temp file, fsync, rename.
 */
export function storeTrustedKey(localConfig: string, scope: TrustScope, key: TrustedKey, data: Uint8Array): string {
  if (scope.kind === "prefix" && !isACIdentifier(scope.prefix)) throw new Error(`invalid prefix "${scope.prefix}": not an AC Identifier`);
  const dir = scopeDir(localConfig, scope);
  makeKeyDirs(dir);
  const path = join(dir, key.fingerprint);
  writeFileDurably(join(dir, `.${key.fingerprint}.tmp-${process.pid}`), path, data, KEY_FILE_MODE);
  chmodSync(path, KEY_FILE_MODE); // whatever the umask
  fsyncDir(dir);
  return path;
}

/** Creates `dir` and its missing parents with mode 0755, each new name made durable. */
function makeKeyDirs(dir: string): void {
  if (existsSync(dir)) return;
  makeKeyDirs(dirname(dir));
  mkdirSync(dir);
  chmodSync(dir, KEY_DIR_MODE);
  fsyncDir(dirname(dir));
}
