// Signature verification of local image files in fetch and run (rkt-cli.md §2.1), with
// keys made by gpg and placed by `rkt trust`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { haveBusybox, imageManifest, makeTestAci, rkt, tempDataDir, tempDir } from "../support/harness";
import { makeGpgSigner, type GpgSigner } from "../support/gpg-signer";
import { busyboxImage, collectPods, shellApp } from "./run-fixtures";

let work: { path: string; cleanup: () => void };
let data: { path: string; cleanup: () => void };
let signer: GpgSigner;
let stranger: GpgSigner;
let signerKey: string;
let strangerKey: string;
/** example.com/app/hello, signed by `signer` (hello.aci.asc beside it). */
let helloAci: string;
let helloShortId: string;
let caseNumber = 0;

const verifiedBySigner = "rkt: signature verified:\n  Test Signer <signer@example.com>\n";
/** What fetch says of hello.aci signed by a key not trusted for its name. */
const untrustedSigner = () =>
  `fetch: image "example.com/app/hello" is signed by key ${signer.fingerprint.slice(-16).toUpperCase()}, not trusted for that name: ` +
  "trust the key with 'rkt trust --prefix=example.com/app/hello KEY', or skip verification with --insecure-skip-verify\n";

beforeAll(() => {
  work = tempDir("rkt-e2e-verify-");
  data = tempDataDir("rkt-e2e-verify-data-");
  signer = makeGpgSigner("Test Signer <signer@example.com>");
  stranger = makeGpgSigner("Stranger <stranger@example.com>");
  signerKey = join(work.path, "signer.asc");
  strangerKey = join(work.path, "stranger.asc");
  writeFileSync(signerKey, signer.armoredPublicKey);
  writeFileSync(strangerKey, stranger.armoredPublicKey);
  helloAci = makeTestAci(work.path, "hello.aci", { manifest: imageManifest("example.com/app/hello"), files: { "etc/hello": "hi" } });
  signer.sign(helloAci, `${helloAci}.asc`);
  helloShortId = rkt(data.path, ["--insecure-skip-verify", "fetch", helloAci]).stdout;
});
afterAll(() => {
  collectPods(data.path);
  signer?.cleanup();
  stranger?.cleanup();
  data?.cleanup();
  work.cleanup();
});

/** Fresh, empty system and local config dirs. */
function freshConfigs(): { system: string; local: string } {
  const base = join(work.path, `config-${++caseNumber}`);
  return { system: join(base, "system"), local: join(base, "local") };
}

function trust(config: string, scope: string, key: string): void {
  const r = rkt(data.path, [`--local-config=${config}`, "trust", scope, "--skip-fingerprint-review", key]);
  if (r.exitCode !== 0) throw new Error(r.stderr);
}

function fetchWith(configs: { system: string; local: string }, args: string[]) {
  return rkt(data.path, [`--system-config=${configs.system}`, `--local-config=${configs.local}`, "fetch", ...args]);
}

describe("verifying local image files", () => {
  test("a key trusted for a prefix of the image's name verifies it; the signer is named on stderr", () => {
    const configs = freshConfigs();
    trust(configs.local, "--prefix=example.com/app", signerKey);
    const r = fetchWith(configs, [helloAci]);
    expect(r).toMatchObject({ exitCode: 0, stdout: helloShortId, stderr: verifiedBySigner });
  });

  test("a root key verifies any name", () => {
    const configs = freshConfigs();
    trust(configs.local, "--root", signerKey);
    expect(fetchWith(configs, [helloAci])).toMatchObject({ exitCode: 0, stderr: verifiedBySigner });
  });

  test("a key trusted for another prefix is not used: unknown entity", () => {
    const configs = freshConfigs();
    trust(configs.local, "--prefix=example.com/other", signerKey);
    trust(configs.local, "--prefix=example.com/ap", signerKey);
    trust(configs.local, "--root", strangerKey);
    expect(fetchWith(configs, [helloAci])).toMatchObject({ exitCode: 1, stdout: "", stderr: untrustedSigner() });
  });

  test("keys in the system config are honoured, and an empty local file of the same fingerprint masks them", () => {
    const configs = freshConfigs();
    trust(configs.system, "--prefix=example.com", signerKey);
    expect(fetchWith(configs, [helloAci])).toMatchObject({ exitCode: 0, stderr: verifiedBySigner });
    const mask = join(configs.local, "trustedkeys/prefix.d/example.com");
    mkdirSync(mask, { recursive: true });
    writeFileSync(join(mask, signer.fingerprint), "");
    expect(fetchWith(configs, [helloAci])).toMatchObject({ exitCode: 1, stderr: untrustedSigner() });
  });

  test("a tampered image fails as an invalid signature and is not imported", () => {
    const configs = freshConfigs();
    trust(configs.local, "--root", signerKey);
    const tampered = makeTestAci(work.path, "tampered.aci", { manifest: imageManifest("example.com/app/tampered"), files: { "etc/hello": "evil" } });
    copyFileSync(`${helloAci}.asc`, `${tampered}.asc`);
    const r = fetchWith(configs, [tampered]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toStartWith("fetch: openpgp: invalid signature: ");
    expect(rkt(data.path, ["image", "list", "--no-legend"]).stdout).not.toContain("example.com/app/tampered");
  });

  test("a garbage signature file: no valid signatures; a missing one: no signature, with what to do", () => {
    const configs = freshConfigs();
    trust(configs.local, "--root", signerKey);
    const garbage = join(work.path, "garbage.asc");
    writeFileSync(garbage, "not a signature\n");
    expect(fetchWith(configs, [helloAci, `--signature=${garbage}`])).toMatchObject({ exitCode: 1, stderr: "fetch: keystore: no valid signatures found in signature file\n" });
    const unsigned = makeTestAci(work.path, "unsigned.aci", { manifest: imageManifest("example.com/app/unsigned") });
    const r = fetchWith(configs, [unsigned]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `fetch: image "example.com/app/unsigned" has no signature at ${unsigned}.asc: give one with --signature=FILE and trust its signer ` +
        "with 'rkt trust --prefix=example.com/app/unsigned KEY', or skip verification with --insecure-skip-verify\n",
    );
  });

  test("--signature names the signature file; binary signatures are accepted", () => {
    const configs = freshConfigs();
    trust(configs.local, "--root", signerKey);
    const binary = join(work.path, "hello.sig");
    signer.sign(helloAci, binary, { binary: true });
    expect(fetchWith(configs, [helloAci, `--signature=${binary}`])).toMatchObject({ exitCode: 0, stdout: helloShortId, stderr: verifiedBySigner });
  });

  test("a file without the .aci suffix looks for <file>.aci.asc", () => {
    const configs = freshConfigs();
    trust(configs.local, "--root", signerKey);
    const plain = join(work.path, "hello-image");
    copyFileSync(helloAci, plain);
    expect(fetchWith(configs, [plain]).stderr).toContain(`hello-image.aci.asc`);
    copyFileSync(`${helloAci}.asc`, `${plain}.aci.asc`);
    expect(fetchWith(configs, [plain])).toMatchObject({ exitCode: 0, stderr: verifiedBySigner });
  });

  test("a file that others may write is verified and imported from a private copy", () => {
    const configs = freshConfigs();
    trust(configs.local, "--root", signerKey);
    const shared = join(work.path, "shared.aci");
    copyFileSync(helloAci, shared);
    copyFileSync(`${helloAci}.asc`, `${shared}.asc`);
    chmodSync(shared, 0o666);
    expect(fetchWith(configs, [shared])).toMatchObject({ exitCode: 0, stdout: helloShortId, stderr: verifiedBySigner });
  });

  test("--insecure-skip-verify consults no keystore and needs no signature", () => {
    const configs = freshConfigs();
    const unsigned = makeTestAci(work.path, "unsigned-skip.aci", { manifest: imageManifest("example.com/app/unsigned-skip") });
    expect(fetchWith(configs, ["--insecure-skip-verify", unsigned])).toMatchObject({ exitCode: 0, stderr: "" });
    expect(existsSync(configs.local)).toBe(false);
  });
});

describe.if(haveBusybox)("running a signed local image", () => {
  test("rkt run without --insecure-skip-verify verifies the image and runs it", () => {
    const configs = freshConfigs();
    trust(configs.local, "--prefix=example.com/signed", signerKey);
    const image = busyboxImage(work.path, "example.com/signed/app", shellApp("echo signed app ran"));
    signer.sign(image, `${image}.asc`);
    const r = rkt(data.path, [`--system-config=${configs.system}`, `--local-config=${configs.local}`, "run", "--mds-register=false", image]);
    expect(r.stderr).toContain(verifiedBySigner);
    expect(r.stdout).toContain("signed app ran");
    expect(r.exitCode).toBe(0);
  });
});
