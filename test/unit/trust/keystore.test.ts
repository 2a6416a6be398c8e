import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { keyringFor, readPublicKey, storeTrustedKey, type KeystoreDirs } from "../../../src/trust";
import { tempDir } from "../../support/harness";
import { makeGpgSigner, type GpgSigner } from "../../support/gpg-signer";

let work: { path: string; cleanup: () => void };
let alice: GpgSigner;
let bob: GpgSigner;
let dirs: KeystoreDirs;
let caseNumber = 0;

beforeAll(() => {
  work = tempDir("rkt-keystore-");
  alice = makeGpgSigner("Alice <alice@example.com>");
  bob = makeGpgSigner("Bob <bob@example.com>");
});
afterAll(() => {
  alice?.cleanup();
  bob?.cleanup();
  work.cleanup();
});

/** Fresh, empty system and local config dirs for each test. */
function freshDirs(): KeystoreDirs {
  const base = join(work.path, `case-${++caseNumber}`);
  dirs = { systemConfig: join(base, "system"), localConfig: join(base, "local") };
  return dirs;
}

function placeKey(config: string, scopePath: string, fingerprint: string, content: string | Uint8Array): void {
  const dir = join(config, "trustedkeys", scopePath);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, fingerprint), content);
}

async function fingerprintsFor(name: string): Promise<string[]> {
  return (await keyringFor(dirs, name)).map((k) => k.fingerprint).sort();
}

describe("keyring for an image name", () => {
  test("an empty keystore gives an empty keyring", async () => {
    freshDirs();
    expect(await fingerprintsFor("example.com/app")).toEqual([]);
  });

  test("root keys apply to every name; prefix keys to names at or below the prefix", async () => {
    freshDirs();
    placeKey(dirs.systemConfig, "root.d", alice.fingerprint, alice.armoredPublicKey);
    placeKey(dirs.localConfig, "prefix.d/example.com/app", bob.fingerprint, bob.armoredPublicKey);
    expect(await fingerprintsFor("other.org/x")).toEqual([alice.fingerprint]);
    expect(await fingerprintsFor("example.com/app")).toEqual([alice.fingerprint, bob.fingerprint].sort());
    expect(await fingerprintsFor("example.com/app/sub")).toEqual([alice.fingerprint, bob.fingerprint].sort());
    expect(await fingerprintsFor("example.com")).toEqual([alice.fingerprint]);
  });

  test("prefixes match whole path components: example.com/ap does not cover example.com/app", async () => {
    freshDirs();
    placeKey(dirs.localConfig, "prefix.d/example.com/ap", bob.fingerprint, bob.armoredPublicKey);
    expect(await fingerprintsFor("example.com/app")).toEqual([]);
    expect(await fingerprintsFor("example.com/ap")).toEqual([bob.fingerprint]);
  });

  test("system keys are honoured and an empty local file masks one", async () => {
    freshDirs();
    placeKey(dirs.systemConfig, "prefix.d/example.com", alice.fingerprint, alice.armoredPublicKey);
    expect(await fingerprintsFor("example.com/app")).toEqual([alice.fingerprint]);
    placeKey(dirs.localConfig, "prefix.d/example.com", alice.fingerprint, "");
    expect(await fingerprintsFor("example.com/app")).toEqual([]);
  });

  test("binary key files are read as well as armored ones", async () => {
    freshDirs();
    placeKey(dirs.localConfig, "root.d", bob.fingerprint, bob.binaryPublicKey);
    expect(await fingerprintsFor("example.com/app")).toEqual([bob.fingerprint]);
  });

  test("a key file not named by its key's fingerprint is refused", async () => {
    freshDirs();
    placeKey(dirs.localConfig, "root.d", alice.fingerprint, bob.armoredPublicKey);
    await expect(keyringFor(dirs, "example.com/app")).rejects.toThrow(`keystore: fingerprint mismatch`);
  });
});

describe("storing a trusted key", () => {
  test("writes the bytes as received to prefix.d/<prefix>/<fingerprint>, 0644 under 0755 dirs, no temp file left", async () => {
    freshDirs();
    const key = await readPublicKey(Buffer.from(alice.armoredPublicKey), "alice.asc");
    const path = storeTrustedKey(dirs.localConfig, { kind: "prefix", prefix: "example.com/app" }, key, Buffer.from(alice.armoredPublicKey));
    expect(path).toBe(join(dirs.localConfig, "trustedkeys/prefix.d/example.com/app", alice.fingerprint));
    expect(readFileSync(path, "utf8")).toBe(alice.armoredPublicKey);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    for (const dir of ["trustedkeys", "trustedkeys/prefix.d", "trustedkeys/prefix.d/example.com", "trustedkeys/prefix.d/example.com/app"]) {
      expect(statSync(join(dirs.localConfig, dir)).mode & 0o777).toBe(0o755);
    }
    expect(readdirSync(join(dirs.localConfig, "trustedkeys/prefix.d/example.com/app"))).toEqual([alice.fingerprint]);
    expect(await fingerprintsFor("example.com/app")).toEqual([alice.fingerprint]);
  });

  test("root keys go to root.d; a key stored again replaces the file", async () => {
    freshDirs();
    const key = await readPublicKey(bob.binaryPublicKey, "bob.gpg");
    storeTrustedKey(dirs.localConfig, { kind: "root" }, key, bob.binaryPublicKey);
    const path = storeTrustedKey(dirs.localConfig, { kind: "root" }, key, Buffer.from(bob.armoredPublicKey));
    expect(path).toBe(join(dirs.localConfig, "trustedkeys/root.d", bob.fingerprint));
    expect(readFileSync(path, "utf8")).toBe(bob.armoredPublicKey);
  });

  test("a prefix that is not an AC Identifier is refused", async () => {
    freshDirs();
    const key = await readPublicKey(Buffer.from(alice.armoredPublicKey), "alice.asc");
    expect(() => storeTrustedKey(dirs.localConfig, { kind: "prefix", prefix: "../escape" }, key, Buffer.from(alice.armoredPublicKey))).toThrow("not an AC Identifier");
  });
});
