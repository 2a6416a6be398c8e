// The app API of the metadata service (appc.md §7.2), answered in-process.
import { describe, expect, test } from "bun:test";
import { answerAppRequest } from "../../../src/mds/app-api";
import { newHmacKey, signForPod } from "../../../src/mds/hmac";
import { PodRegistry } from "../../../src/mds/pod-registry";

const uuid = "6733c4b8-6c1d-4a5b-9c5e-0123456789ab";
const token = "0123456789abcdef0123456789abcdef";
const imageId = `sha512-${"a".repeat(64)}`;
const key = newHmacKey();
const registry = new PodRegistry();
registry.addPod(
  uuid,
  token,
  JSON.stringify({
    acKind: "PodManifest",
    acVersion: "0.6.1",
    apps: [{ name: "web", image: { id: imageId }, annotations: [{ name: "shared", value: "from-pod" }] }],
    annotations: [
      { name: "owner", value: "ops" },
      { name: "example.com/tier", value: "front" },
    ],
  }),
);
registry.addApp(
  uuid,
  "web",
  JSON.stringify({
    acKind: "ImageManifest",
    acVersion: "0.6.1",
    name: "example.com/web",
    annotations: [
      { name: "shared", value: "from-image" },
      { name: "lorem", value: "ipsum" },
    ],
  }),
);

async function ask(path: string, init: RequestInit & { flavor?: string | null; from?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.flavor !== null) headers.set("Metadata-Flavor", init.flavor ?? "AppContainer");
  const caller = { address: init.from ?? "127.0.0.1", isProcessOf: () => false };
  const res = await answerAppRequest(registry, key, new Request(`http://127.0.0.1:2375${path}`, { ...init, headers }), caller);
  return { status: res.status, body: await res.text(), type: res.headers.get("Content-Type") };
}
const api = (path: string) => `/${token}/acMetadata/v1/${path}`;
const form = (fields: Record<string, string>) => ({
  method: "POST",
  body: new URLSearchParams(fields).toString(),
  headers: { "Content-Type": "application/x-www-form-urlencoded" },
});

describe("metadata app API", () => {
  test("answers the pod's UUID, manifest and annotations", async () => {
    expect((await ask(api("pod/uuid"))).body).toBe(uuid);
    const manifest = await ask(api("pod/manifest"));
    expect(manifest.type).toBe("application/json");
    expect(JSON.parse(manifest.body).apps[0].name).toBe("web");
    expect((await ask(api("pod/annotations/"))).body).toBe("owner\nexample.com/tier\n");
    expect((await ask(api("pod/annotations/example.com/tier"))).body).toBe("front");
  });

  test("merges the pod's app annotations over the image's", async () => {
    expect((await ask(api("apps/web/annotations/"))).body).toBe("shared\nlorem\n");
    expect((await ask(api("apps/web/annotations/shared"))).body).toBe("from-pod");
    expect((await ask(api("apps/web/annotations/lorem"))).body).toBe("ipsum");
  });

  test("answers an app's image manifest and image ID", async () => {
    expect(JSON.parse((await ask(api("apps/web/image/manifest"))).body).name).toBe("example.com/web");
    expect((await ask(api("apps/web/image/id"))).body).toBe(imageId);
  });

  test("a missing annotation is 404, a name that is no AC identifier 400, an unknown app 404", async () => {
    expect((await ask(api("pod/annotations/absent"))).status).toBe(404);
    expect((await ask(api("pod/annotations/Not_An_Identifier"))).status).toBe(400);
    expect((await ask(api("apps/nope/image/id"))).status).toBe(404);
  });

  test("refuses a request without the Metadata-Flavor header with 404", async () => {
    expect((await ask(api("pod/uuid"), { flavor: null })).status).toBe(404);
    expect((await ask(api("pod/uuid"), { flavor: "Google" })).status).toBe(404);
  });

  test("an unknown token is 401", async () => {
    expect((await ask(`/${"f".repeat(32)}/acMetadata/v1/pod/uuid`)).status).toBe(401);
  });

  test("a pod registered with its address is answered from that address only (IPv4 also as IPv6-mapped)", async () => {
    const netUuid = "22222222-2222-3333-4444-555555555555";
    const netToken = "fedcba9876543210fedcba9876543210";
    const manifest = JSON.stringify({ acKind: "PodManifest", acVersion: "0.6.1", apps: [{ name: "web", image: { id: imageId } }] });
    registry.addPod(netUuid, netToken, manifest, { ip: "172.16.28.5" });
    const uuidPath = `/${netToken}/acMetadata/v1/pod/uuid`;
    expect((await ask(uuidPath, { from: "172.16.28.5" })).body).toBe(netUuid);
    expect((await ask(uuidPath, { from: "::ffff:172.16.28.5" })).body).toBe(netUuid);
    for (const from of ["172.16.28.6", "127.0.0.1", "172.16.28.1", "::1", ""]) expect((await ask(uuidPath, { from })).status).toBe(403);
    expect((await ask(`/${netToken}/acMetadata/v1/pod/hmac/sign`, { ...form({ content: "x" }), from: "127.0.0.1" })).status).toBe(403);
    expect(() => registry.addPod(netUuid, netToken, manifest, { ip: "not-an-address" })).toThrow('ip "not-an-address" is not an IP address');
  });

  test("signs for the caller's pod; verify accepts the signature under uid or uuid and refuses others", async () => {
    const content = "Old MacDonald Had A Farm";
    const signed = await ask(api("pod/hmac/sign"), form({ content }));
    expect(signed.status).toBe(200);
    expect(signed.body).toBe(signForPod(key, uuid, content));
    expect(Buffer.from(signed.body, "base64")).toHaveLength(64);
    expect((await ask(api("pod/hmac/verify"), form({ content, uid: uuid, signature: signed.body }))).status).toBe(200);
    expect((await ask(api("pod/hmac/verify"), form({ content, uuid, signature: signed.body }))).status).toBe(200);
    expect((await ask(api("pod/hmac/verify"), form({ content: "other", uid: uuid, signature: signed.body }))).status).toBe(403);
    const otherPod = "11111111-2222-3333-4444-555555555555";
    expect((await ask(api("pod/hmac/verify"), form({ content, uid: otherPod, signature: signed.body }))).status).toBe(403);
  });

  test("hmac input errors are 400: empty content, a malformed uuid", async () => {
    expect((await ask(api("pod/hmac/sign"), form({ content: "" }))).status).toBe(400);
    expect((await ask(api("pod/hmac/verify"), form({ content: "x", uid: "nope", signature: "AA==" }))).status).toBe(400);
  });

  test("reads are GET only, hmac POST only", async () => {
    expect((await ask(api("pod/uuid"), { method: "POST" })).status).toBe(405);
    expect((await ask(api("pod/hmac/sign"))).status).toBe(405);
  });
});
