// The registry client against a hostile registry on loopback: a Bearer realm naming a local
// file, a layer longer than its descriptor says, a manifest past its limit.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDockerReference } from "../../../src/docker";
import { RegistryClient } from "../../../src/docker/registry-client";
import { SIZE_LIMITS } from "../../../src/size-limits";

let registry: ReturnType<typeof Bun.serve>;
let dir: string;
let challenge = "";
let manifest = "";
const authorizations: string[] = [];
const layer = new Uint8Array(5000).fill(7);
const layerDigest = `sha256:${new Bun.CryptoHasher("sha256").update(layer).digest("hex")}`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rkt-registry-client-"));
  registry = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const authorization = req.headers.get("authorization");
      if (authorization) authorizations.push(authorization);
      if (challenge && !authorization) return new Response("", { status: 401, headers: { "WWW-Authenticate": challenge } });
      const path = new URL(req.url).pathname;
      if (path.startsWith("/v2/test/app/manifests/")) return new Response(manifest, { headers: { "Content-Type": "application/vnd.docker.distribution.manifest.v2+json" } });
      if (path === `/v2/test/app/blobs/${layerDigest}`) return new Response(layer);
      return new Response("", { status: 404 });
    },
  });
});

afterAll(() => {
  registry.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

function client(): RegistryClient {
  return new RegistryClient(parseDockerReference(`docker://127.0.0.1:${registry.port}/test/app:latest`), undefined);
}

describe("a Bearer realm that is not http or https", () => {
  test("is refused: the local file is not read and its token never reaches the registry", async () => {
    const tokenFile = join(dir, "token.json");
    writeFileSync(tokenFile, JSON.stringify({ token: "local-secret" }));
    challenge = `Bearer realm="file://${tokenFile}",service="reg"`;
    authorizations.length = 0;
    try {
      await expect(client().imageManifest("amd64")).rejects.toThrow("the registry's Bearer realm is not an http or https URL");
      expect(authorizations).toEqual([]);
    } finally {
      challenge = "";
    }
  });

  test("realm=file:///etc/shadow: the error carries nothing of the file", async () => {
    challenge = `Bearer realm="file:///etc/shadow"`;
    try {
      const error = await client().imageManifest("amd64").then(() => undefined, (err: Error) => err);
      expect(error?.message).toBe("the registry's Bearer realm is not an http or https URL");
    } finally {
      challenge = "";
    }
  });
});

describe("bounded reads", () => {
  test("a layer longer than its descriptor's size stops there: an error, and no partial file", async () => {
    const path = join(dir, "layer");
    const url = `http://127.0.0.1:${registry.port}/v2/test/app/blobs/${layerDigest}`;
    await expect(client().saveBlob({ digest: layerDigest, size: 1000 }, path)).rejects.toThrow(`error downloading layer ${layerDigest}: ${url}: the layer ${layerDigest} is larger than 1000 bytes`);
    expect(existsSync(path)).toBe(false);
  });

  test("a layer of its declared size is saved", async () => {
    const path = join(dir, "whole-layer");
    await client().saveBlob({ digest: layerDigest, size: layer.length }, path);
    expect(Bun.file(path).size).toBe(layer.length);
  });

  test("a manifest past its limit is refused", async () => {
    manifest = " ".repeat(SIZE_LIMITS.dockerManifest + 1);
    await expect(client().imageManifest("amd64")).rejects.toThrow("the manifest latest is larger than 4 MiB");
  });

  test("a manifest whose layers declare no size is malformed", async () => {
    manifest = JSON.stringify({ schemaVersion: 2, config: { digest: layerDigest, size: 10 }, layers: [{ digest: layerDigest }] });
    await expect(client().imageManifest("amd64")).rejects.toThrow("malformed image manifest for test/app:latest");
  });
});
