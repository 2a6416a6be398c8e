// The HMAC identity of appc.md §7.3.
import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { newHmacKey, signForPod, verifyForPod } from "../../../src/mds/hmac";

const uuid = "6733c4b8-6c1d-4a5b-9c5e-0123456789ab";

describe("pod HMAC", () => {
  test("is HMAC-SHA512 of the UUID's 16 bytes followed by the content, base64", () => {
    const key = newHmacKey();
    const expected = createHmac("sha512", key)
      .update(Buffer.concat([Buffer.from(uuid.replace(/-/g, ""), "hex"), Buffer.from("data")]))
      .digest("base64");
    expect(signForPod(key, uuid, "data")).toBe(expected);
  });

  test("keys differ per service start, so a signature does not outlive its service", () => {
    const signature = signForPod(newHmacKey(), uuid, "data");
    expect(verifyForPod(newHmacKey(), uuid, "data", signature)).toBe(false);
  });

  test("verify refuses a truncated or garbled signature", () => {
    const key = newHmacKey();
    const signature = signForPod(key, uuid, "data");
    expect(verifyForPod(key, uuid, "data", signature)).toBe(true);
    expect(verifyForPod(key, uuid, "data", signature.slice(0, 20))).toBe(false);
    expect(verifyForPod(key, uuid, "data", "not base64 at all")).toBe(false);
  });
});
