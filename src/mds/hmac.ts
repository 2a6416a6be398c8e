// The pod identity of appc.md §7.3: HMAC-SHA512 over the pod UUID's 16 bytes followed by
// the content, keyed by a secret the service draws at start-up and never stores.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { parseUuid } from "../appc";

const HMAC_KEY_BYTES = 64;

export function newHmacKey(): Buffer {
  return randomBytes(HMAC_KEY_BYTES);
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(parseUuid(uuid).replace(/-/g, ""), "hex");
}

/** The base64 (standard, padded) signature of `content` for the pod `uuid`. */
export function signForPod(key: Buffer, uuid: string, content: string): string {
  return createHmac("sha512", key).update(uuidBytes(uuid)).update(content).digest("base64");
}

/** Whether `signature` (base64) is the pod's signature of `content`; constant-time compare. */
export function verifyForPod(key: Buffer, uuid: string, content: string, signature: string): boolean {
  const expected = Buffer.from(signForPod(key, uuid, content), "base64");
  const given = Buffer.from(signature, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
