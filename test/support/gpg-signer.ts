// Real OpenPGP keys for tests, made by gpg in a private GNUPGHOME: generate a signing key,
// export its public half, sign files with detached signatures. `cleanup` stops the agent
// and removes the home.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface GpgSigner {
  identity: string;
  /** Lower-case hex, as the keystore names key files. */
  fingerprint: string;
  /** The public key, armored. */
  armoredPublicKey: string;
  binaryPublicKey: Uint8Array;
  /** Writes an armored (default) or binary detached signature of `file` to `output`. */
  sign(file: string, output: string, opts?: { binary?: boolean }): void;
  cleanup(): void;
}

function gpg(home: string, args: string[]): Buffer {
  const proc = Bun.spawnSync(["gpg", "--homedir", home, "--batch", "--no-tty", "--quiet", ...args], { stdin: "ignore" });
  if (proc.exitCode !== 0) throw new Error(`gpg ${args.join(" ")}: ${proc.stderr.toString()}`);
  return proc.stdout;
}

export function makeGpgSigner(identity: string): GpgSigner {
  const home = mkdtempSync(join(tmpdir(), "rkt-gnupg-"));
  const cleanup = () => {
    Bun.spawnSync(["gpgconf", "--homedir", home, "--kill", "all"]);
    // The agent may still be removing its sockets as it exits: retry on ENOTEMPTY.
    rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  };
  try {
    gpg(home, ["--passphrase", "", "--quick-gen-key", identity, "rsa2048", "sign", "never"]);
    const colons = gpg(home, ["--with-colons", "--fingerprint", identity]).toString();
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)![1]!.toLowerCase();
    return {
      identity,
      fingerprint,
      armoredPublicKey: gpg(home, ["--armor", "--export", fingerprint]).toString(),
      binaryPublicKey: new Uint8Array(gpg(home, ["--export", fingerprint])),
      sign: (file, output, opts = {}) => void gpg(home, ["--yes", ...(opts.binary ? [] : ["--armor"]), "--local-user", fingerprint, "--output", output, "--detach-sign", file]),
      cleanup,
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}
