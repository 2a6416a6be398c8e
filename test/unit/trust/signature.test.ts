import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkDetachedSignature, readPublicKey, signatureVerifiedMessage, type TrustedKey } from "../../../src/trust";
import { tempDir } from "../../support/harness";
import { makeGpgSigner, type GpgSigner } from "../../support/gpg-signer";

let work: { path: string; cleanup: () => void };
let signer: GpgSigner;
let stranger: GpgSigner;
let trusted: TrustedKey;
let data: Uint8Array;
let armored: Uint8Array;
let binary: Uint8Array;

beforeAll(async () => {
  work = tempDir("rkt-signature-");
  signer = makeGpgSigner("Test Signer <signer@example.com>");
  stranger = makeGpgSigner("Stranger <stranger@example.com>");
  trusted = await readPublicKey(Buffer.from(signer.armoredPublicKey), "signer.asc");
  const file = join(work.path, "image.aci");
  writeFileSync(file, "the exact bytes of an image file");
  data = readFileSync(file);
  signer.sign(file, join(work.path, "image.aci.asc"));
  signer.sign(file, join(work.path, "image.aci.sig"), { binary: true });
  armored = readFileSync(join(work.path, "image.aci.asc"));
  binary = readFileSync(join(work.path, "image.aci.sig"));
});
afterAll(() => {
  signer?.cleanup();
  stranger?.cleanup();
  work.cleanup();
});

describe("checking a detached signature", () => {
  test("an armored signature by a trusted key gives the signer's identities", async () => {
    expect(await checkDetachedSignature([trusted], data, armored)).toEqual(["Test Signer <signer@example.com>"]);
  });

  test("a binary signature is accepted too", async () => {
    expect(await checkDetachedSignature([trusted], data, binary)).toEqual(["Test Signer <signer@example.com>"]);
  });

  test("the data may be a stream", async () => {
    expect(await checkDetachedSignature([trusted], new Blob([new Uint8Array(data)]).stream(), armored)).toEqual(["Test Signer <signer@example.com>"]);
  });

  test("a signer not in the keyring is an unknown entity", async () => {
    const other = await readPublicKey(Buffer.from(stranger.armoredPublicKey), "stranger.asc");
    const unknown = `openpgp: signature made by unknown entity (key ID ${signer.fingerprint.slice(-16).toUpperCase()})`;
    await expect(checkDetachedSignature([other], data, armored)).rejects.toThrow(unknown);
    await expect(checkDetachedSignature([], data, armored)).rejects.toThrow(unknown);
  });

  test("of several signatures, the one made by a trusted key vouches for the data", async () => {
    const file = join(work.path, "image.aci");
    stranger.sign(file, join(work.path, "stranger.sig"), { binary: true });
    const both = Buffer.concat([readFileSync(join(work.path, "stranger.sig")), binary]);
    expect(await checkDetachedSignature([trusted], data, both)).toEqual(["Test Signer <signer@example.com>"]);
  });

  test("changed data is an invalid signature", async () => {
    const tampered = new Uint8Array(data);
    tampered[0] ^= 1;
    await expect(checkDetachedSignature([trusted], tampered, armored)).rejects.toThrow(/^openpgp: invalid signature: /);
  });

  test("garbage, an empty file or a public key instead of a signature: no valid signatures", async () => {
    for (const bad of [Buffer.from("garbage\n"), new Uint8Array(0), Buffer.from(signer.armoredPublicKey)]) {
      await expect(checkDetachedSignature([trusted], data, bad)).rejects.toThrow(/^keystore: no valid signatures found in signature file$/);
    }
  });

  test("the success message lists one indented line per identity", () => {
    expect(signatureVerifiedMessage(["A <a@example.com>", "A2"])).toBe("rkt: signature verified:\n  A <a@example.com>\n  A2\n");
  });
});
