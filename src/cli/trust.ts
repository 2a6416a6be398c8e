import { readSync } from "node:fs";
import { describeKey, discoverKeyLocations, readKeyLocation, readPublicKey, storeTrustedKey, type TrustScope } from "../trust";
import { rktCommand } from "./command";
import { ExitCode, RktError } from "./errors";

// rkt-cli.md §3.5: adds public keys to the local keystore, after the user has seen their
// fingerprints (or said not to review them).
export default rktCommand({
  usage: "[--prefix=PREFIX | --root] [--insecure-allow-http] [--skip-fingerprint-review] PUBKEY...",
  args: {
    prefix: { type: "string", description: "prefix to limit trust to" },
    root: { type: "boolean", default: false, description: "add root key from filesystem without a prefix" },
    "insecure-allow-http": { type: "boolean", default: false, description: "allow HTTP use for key discovery and/or retrieval" },
    "skip-fingerprint-review": { type: "boolean", default: false, description: "accept keys without asking to review their fingerprints" },
  },
  async run({ args, globals, help }) {
    const { insecurePubkey, localConfig, trustKeysFromHttps } = globals;
    // Only v0.8.0's flag, which would read as "skip key verification"; --insecure-options=image concerns images.
    if (args["insecure-skip-verify"]) throw new RktError("--insecure-skip-verify is not allowed: keys are never trusted unverified");
    const prefix = args.prefix as string | undefined;
    const givenLocations = args._;
    if (args.root && prefix !== undefined) throw new RktError("--root and --prefix usage mutually exclusive");
    if (prefix === undefined && !args.root) {
      if (givenLocations.length > 0) throw new RktError("--root required for non-prefixed (root) keys");
      process.stderr.write(help());
      return ExitCode.Failure;
    }
    if (prefix !== undefined && /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(prefix)) throw new RktError("--prefix must not contain a URL scheme, omit https://");
    const allowHttp = (args["insecure-allow-http"] as boolean) || insecurePubkey;
    const locations = givenLocations.length > 0 || prefix === undefined ? givenLocations : await discoverKeyLocations(prefix, { allowHttp });
    const scope: TrustScope = prefix === undefined ? { kind: "root" } : { kind: "prefix", prefix };
    for (const location of locations) {
      const { data, overHttps } = await readKeyLocation(location, { allowHttp });
      const key = await readPublicKey(data, location);
      process.stderr.write(describeKey(prefix ?? "", location, key));
      const skipReview = (overHttps && trustKeysFromHttps) || (args["skip-fingerprint-review"] as boolean);
      if (!skipReview && !userAccepts(location)) {
        process.stderr.write(`Not trusting ${JSON.stringify(location)}\n`);
        continue;
      }
      process.stderr.write(`Trusting ${JSON.stringify(location)} for prefix ${JSON.stringify(prefix ?? "")} ${skipReview ? "without" : "after"} fingerprint review.\n`);
      const path = storeTrustedKey(localConfig, scope, key, data);
      process.stderr.write(scope.kind === "root" ? `Added root key at ${JSON.stringify(path)}\n` : `Added key for prefix ${JSON.stringify(scope.prefix)} at ${JSON.stringify(path)}\n`);
    }
  },
});

/**
 * Asks until the answer on standard input is exactly `yes` or `no`, from a terminal or a
 * pipe alike (rkt 0.8.0: `echo yes | rkt trust ...` works); no answer at all is an error.
 */
function userAccepts(location: string): boolean {
  for (;;) {
    process.stderr.write("Are you sure you want to trust this key (yes/no)?\n");
    const answer = readLine();
    if (answer === "yes") return true;
    if (answer === "no") return false;
    if (answer === undefined) {
      throw new RktError(`no answer on standard input to review the fingerprint of ${JSON.stringify(location)} (answer yes or no, or pass --skip-fingerprint-review to trust it without review)`);
    }
    process.stderr.write("Please enter 'yes' or 'no'\n");
  }
}

/** One line from stdin without its newline; undefined at end of input. */
function readLine(): string | undefined {
  const bytes: number[] = [];
  const byte = Buffer.alloc(1);
  for (;;) {
    if (readSync(0, byte, 0, 1, null) === 0) return bytes.length > 0 ? Buffer.from(bytes).toString() : undefined;
    if (byte[0] === 0x0a) return Buffer.from(bytes).toString().replace(/\r$/, "");
    bytes.push(byte[0]!);
  }
}
