import { afterAll, beforeAll, expect, test } from "bun:test";
import { describeKey, formatFingerprint, readPublicKey } from "../../../src/trust";
import { makeGpgSigner, type GpgSigner } from "../../support/gpg-signer";

let signer: GpgSigner;

beforeAll(() => {
  signer = makeGpgSigner("Test Signer <signer@example.com>");
});
afterAll(() => signer?.cleanup());

test("a fingerprint shows as 10 upper-case groups of 4 with two spaces in the middle", () => {
  expect(formatFingerprint("8b86de38890ddb7291867b025210bd8888182190")).toBe("8B86 DE38 890D DB72 9186  7B02 5210 BD88 8818 2190");
});

test("armored and binary keys give the same fingerprint and identities", async () => {
  const armored = await readPublicKey(Buffer.from(signer.armoredPublicKey), "k.asc");
  const binary = await readPublicKey(signer.binaryPublicKey, "k.gpg");
  expect(armored.fingerprint).toBe(signer.fingerprint);
  expect(binary.fingerprint).toBe(signer.fingerprint);
  expect(armored.identities).toEqual(["Test Signer <signer@example.com>"]);
});

test("the review text names prefix, location, fingerprint and identities", async () => {
  const key = await readPublicKey(Buffer.from(signer.armoredPublicKey), "k.asc");
  expect(describeKey("example.com/app", "/keys/k.asc", key)).toBe(
    `prefix: "example.com/app"\nkey: "/keys/k.asc"\ngpg key fingerprint is: ${formatFingerprint(signer.fingerprint)}\n\tTest Signer <signer@example.com>\n`,
  );
});

test("data that is not a key is refused with the source named", async () => {
  await expect(readPublicKey(Buffer.from("not a key"), "bad.asc")).rejects.toThrow('cannot read OpenPGP public key from "bad.asc"');
});
