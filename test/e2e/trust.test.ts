// `rkt trust`: keys from files and http URLs into the local keystore, with the fingerprint
// review of rkt-cli.md §3.5 (a real terminal through script(1) for the prompt).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rkt, rktBinary, tempDir } from "../support/harness";
import { makeGpgSigner, type GpgSigner } from "../support/gpg-signer";
import { selfSignedCertificate } from "../support/tls-certificate";

let work: { path: string; cleanup: () => void };
let signer: GpgSigner;
let armoredKey: string;
let binaryKey: string;
let spacedFingerprint: string;
let caseNumber = 0;

beforeAll(() => {
  work = tempDir("rkt-e2e-trust-");
  signer = makeGpgSigner("Test Signer <signer@example.com>");
  armoredKey = join(work.path, "signer.asc");
  binaryKey = join(work.path, "signer.gpg");
  writeFileSync(armoredKey, signer.armoredPublicKey);
  writeFileSync(binaryKey, signer.binaryPublicKey);
  spacedFingerprint = signer.fingerprint.toUpperCase().replace(/(.{4})(?!$)/g, "$1 ").replace(/^((?:\S+ ){4}\S+) /, "$1  ");
});
afterAll(() => {
  signer?.cleanup();
  work.cleanup();
});

/** A fresh local config dir per test. */
function freshConfig(): string {
  return join(work.path, `local-${++caseNumber}`);
}

function trust(localConfig: string, args: string[], opts: { stdin?: string } = {}) {
  return rkt(join(work.path, "data"), [`--local-config=${localConfig}`, "trust", ...args], opts);
}

function reviewText(prefix: string, location: string): string {
  return `prefix: "${prefix}"\nkey: "${location}"\ngpg key fingerprint is: ${spacedFingerprint}\n\tTest Signer <signer@example.com>\n`;
}

describe("rkt trust", () => {
  test("--prefix with --skip-fingerprint-review shows the key and writes it under prefix.d, 0644 in 0755 dirs", () => {
    const local = freshConfig();
    const r = trust(local, ["--prefix=example.com/app", "--skip-fingerprint-review", armoredKey]);
    const path = join(local, "trustedkeys/prefix.d/example.com/app", signer.fingerprint);
    expect(r.stderr).toBe(
      reviewText("example.com/app", armoredKey) +
        `Trusting "${armoredKey}" for prefix "example.com/app" without fingerprint review.\n` +
        `Added key for prefix "example.com/app" at "${path}"\n`,
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    expect(readFileSync(path, "utf8")).toBe(signer.armoredPublicKey);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(statSync(join(local, "trustedkeys/prefix.d/example.com")).mode & 0o777).toBe(0o755);
    expect(readdirSync(join(local, "trustedkeys/prefix.d/example.com/app"))).toEqual([signer.fingerprint]);
  });

  test("--root writes a binary key as received under root.d", () => {
    const local = freshConfig();
    const r = trust(local, ["--root", "--skip-fingerprint-review", binaryKey]);
    const path = join(local, "trustedkeys/root.d", signer.fingerprint);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toEndWith(`Added root key at "${path}"\n`);
    expect(readFileSync(path).equals(signer.binaryPublicKey)).toBe(true);
  });

  test("reads the answer from a pipe as well: yes trusts, no does not, no answer at all is an error", () => {
    const local = freshConfig();
    const accepted = trust(local, ["--prefix=example.com/piped", armoredKey], { stdin: "maybe\nyes\n" });
    expect(accepted.exitCode).toBe(0);
    expect(accepted.stderr).toStartWith(reviewText("example.com/piped", armoredKey));
    expect(accepted.stderr).toContain("Please enter 'yes' or 'no'\n");
    expect(accepted.stderr).toContain(`Trusting "${armoredKey}" for prefix "example.com/piped" after fingerprint review.\n`);
    expect(existsSync(join(local, "trustedkeys/prefix.d/example.com/piped", signer.fingerprint))).toBe(true);

    const refused = trust(local, ["--root", armoredKey], { stdin: "no\n" });
    expect(refused).toMatchObject({ exitCode: 0 });
    expect(refused.stderr).toEndWith(`Not trusting "${armoredKey}"\n`);

    const unanswered = trust(local, ["--root", armoredKey]);
    expect(unanswered.exitCode).toBe(1);
    expect(unanswered.stderr).toEndWith(
      `trust: no answer on standard input to review the fingerprint of "${armoredKey}" (answer yes or no, or pass --skip-fingerprint-review to trust it without review)\n`,
    );
    expect(existsSync(join(local, "trustedkeys/root.d"))).toBe(false);
  });

  test("on a terminal it asks until the answer is yes or no", () => {
    const local = freshConfig();
    const accepted = onTerminal(`${rktBinary} --local-config=${local} trust --prefix=example.com/tty ${armoredKey}`, "maybe\nyes\n");
    expect(accepted.exitCode).toBe(0);
    expect(accepted.output).toContain("Are you sure you want to trust this key (yes/no)?\nPlease enter 'yes' or 'no'\nAre you sure you want to trust this key (yes/no)?\n");
    expect(accepted.output).toContain(`Trusting "${armoredKey}" for prefix "example.com/tty" after fingerprint review.\n`);
    expect(existsSync(join(local, "trustedkeys/prefix.d/example.com/tty", signer.fingerprint))).toBe(true);

    const refused = onTerminal(`${rktBinary} --local-config=${local} trust --root ${armoredKey}`, "no\n");
    expect(refused.exitCode).toBe(0);
    expect(refused.output).toEndWith(`Not trusting "${armoredKey}"\n`);
    expect(existsSync(join(local, "trustedkeys/root.d"))).toBe(false);
  });

  test("an http key URL needs --insecure-allow-http, and is then downloaded and reviewed", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(signer.armoredPublicKey) });
    try {
      const local = freshConfig();
      const url = `http://127.0.0.1:${server.port}/pubkeys.gpg`;
      const refused = await trustAsync(local, ["--prefix=example.com", "--skip-fingerprint-review", url]);
      expect(refused).toMatchObject({ exitCode: 1, stderr: "trust: --insecure-allow-http required for http URLs\n" });
      const r = await trustAsync(local, ["--prefix=example.com", "--insecure-allow-http", "--skip-fingerprint-review", url]);
      expect(r.stderr).toStartWith(reviewText("example.com", url));
      expect(r.exitCode).toBe(0);
      expect(readFileSync(join(local, "trustedkeys/prefix.d/example.com", signer.fingerprint), "utf8")).toBe(signer.armoredPublicKey);
    } finally {
      server.stop(true);
    }
  });

  test("an https key is trusted without review unless --trust-keys-from-https=false; a bad status is an error", async () => {
    const tls = selfSignedCertificate(work.path);
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: tls.cert, key: tls.key },
      fetch: (req) => (new URL(req.url).pathname === "/pubkeys.gpg" ? new Response(signer.armoredPublicKey) : new Response("gone", { status: 404 })),
    });
    try {
      const local = freshConfig();
      const url = `https://127.0.0.1:${server.port}/pubkeys.gpg`;
      const env = { NODE_EXTRA_CA_CERTS: tls.certFile };
      const trusted = await trustAsync(local, ["--prefix=example.com", url], { env });
      expect(trusted.stderr).toBe(
        reviewText("example.com", url) +
          `Trusting "${url}" for prefix "example.com" without fingerprint review.\n` +
          `Added key for prefix "example.com" at "${join(local, "trustedkeys/prefix.d/example.com", signer.fingerprint)}"\n`,
      );
      expect(trusted.exitCode).toBe(0);
      const reviewed = await trustAsync(local, ["--trust-keys-from-https=false", "--root", url], { env });
      expect(reviewed.exitCode).toBe(1);
      expect(reviewed.stderr).toContain("no answer on standard input to review the fingerprint");
      const missing = await trustAsync(local, ["--root", `https://127.0.0.1:${server.port}/absent.gpg`], { env });
      expect(missing).toMatchObject({ exitCode: 1, stderr: `trust: error downloading key "https://127.0.0.1:${server.port}/absent.gpg": bad HTTP status code: 404\n` });
      const untrustedCert = await trustAsync(local, ["--root", url]);
      expect(untrustedCert.exitCode).toBe(1);
      expect(untrustedCert.stderr).toStartWith(`trust: error downloading key "${url}": `);
    } finally {
      server.stop(true);
    }
  });

  test("an https key URL redirected to plain http is refused, and with --insecure-allow-http is not trusted without review", async () => {
    const plain = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(signer.armoredPublicKey) });
    const tls = selfSignedCertificate(work.path);
    const secure = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: tls.cert, key: tls.key },
      fetch: () => new Response(null, { status: 302, headers: { Location: `http://127.0.0.1:${plain.port}/pubkeys.gpg` } }),
    });
    try {
      const local = freshConfig();
      const url = `https://127.0.0.1:${secure.port}/pubkeys.gpg`;
      const env = { NODE_EXTRA_CA_CERTS: tls.certFile };
      const refused = await trustAsync(local, ["--prefix=example.com", url], { env });
      expect(refused).toMatchObject({
        exitCode: 1,
        stderr: `trust: error downloading key "${url}": ${url}: refused a redirect from https to plain http (http://127.0.0.1:${plain.port}/pubkeys.gpg)\n`,
      });
      const allowed = await trustAsync(local, ["--prefix=example.com", "--insecure-allow-http", url], { env });
      expect(allowed.exitCode).toBe(1);
      expect(allowed.stderr).toStartWith(reviewText("example.com", url));
      expect(allowed.stderr).toContain("no answer on standard input to review the fingerprint");
      expect(existsSync(local)).toBe(false);
    } finally {
      secure.stop(true);
      plain.stop(true);
    }
  });

  test("a key file that never ends (/dev/zero) fails at the size limit", () => {
    expect(trust(freshConfig(), ["--root", "/dev/zero"])).toMatchObject({ exitCode: 1, stderr: `trust: error opening key file "/dev/zero": read /dev/zero: larger than the 4 MiB allowed\n` });
  });

  test("flag errors: --root with --prefix, a key without either, a URL scheme in the prefix, --insecure-skip-verify", () => {
    const local = freshConfig();
    expect(trust(local, ["--root", "--prefix=example.com", armoredKey])).toMatchObject({ exitCode: 1, stderr: "trust: --root and --prefix usage mutually exclusive\n" });
    expect(trust(local, [armoredKey])).toMatchObject({ exitCode: 1, stderr: "trust: --root required for non-prefixed (root) keys\n" });
    expect(trust(local, ["--prefix=https://example.com", armoredKey])).toMatchObject({ exitCode: 1, stderr: "trust: --prefix must not contain a URL scheme, omit https://\n" });
    const skip = rkt(join(work.path, "data"), [`--local-config=${local}`, "--insecure-skip-verify", "trust", "--root", armoredKey]);
    expect(skip).toMatchObject({ exitCode: 1, stderr: "trust: --insecure-skip-verify is not allowed: keys are never trusted unverified\n" });
    expect(existsSync(local)).toBe(false);
  });

  // --prefix without keys (key discovery): test/e2e/fetch-https.test.ts, against a server in a network namespace.
  test("no flags and no keys prints the usage", () => {
    const local = freshConfig();
    const usage = trust(local, []);
    expect(usage.exitCode).toBe(1);
    expect(usage.stderr).toContain("rkt trust [--prefix=PREFIX | --root]");
  });

  test("bad key sources: other URL schemes, a missing file, a file that is not a key", () => {
    const local = freshConfig();
    expect(trust(local, ["--root", "ftp://127.0.0.1/k.gpg"])).toMatchObject({ exitCode: 1, stderr: "trust: only http and https urls supported (ftp://127.0.0.1/k.gpg)\n" });
    const missing = trust(local, ["--root", join(work.path, "absent.asc")]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toStartWith(`trust: error opening key file "${join(work.path, "absent.asc")}": `);
    const notKey = join(work.path, "not-a-key.asc");
    writeFileSync(notKey, "hello\n");
    expect(trust(local, ["--root", notKey]).stderr).toStartWith(`trust: cannot read OpenPGP public key from "${notKey}": `);
    expect(existsSync(local)).toBe(false);
  });
});

/** A certificate for 127.0.0.1 made by openssl; rkt is told to trust it through NODE_EXTRA_CA_CERTS. */

/** Runs a shell command on a pseudo-terminal (script(1)) with `input` typed in; output has the terminal's CRs removed. */
function onTerminal(command: string, input: string): { exitCode: number; output: string } {
  const proc = Bun.spawnSync(["script", "-qec", command, "/dev/null"], { stdin: Buffer.from(input) });
  return { exitCode: proc.exitCode ?? -1, output: proc.stdout.toString().replace(/\r\n/g, "\n") };
}

/** `rkt trust` without blocking this process, so a server in it can answer. */
async function trustAsync(localConfig: string, args: string[], opts: { env?: Record<string, string> } = {}) {
  const proc = Bun.spawn([rktBinary, `--dir=${join(work.path, "data")}`, `--local-config=${localConfig}`, "trust", ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...opts.env },
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}
