// Helpers for the store tests: a private data dir with an open store, and small images.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { Store } from "../../../src/store";
import { join } from "node:path";
import { imageManifest, makeTestAci, tempDir, type TestImageSpec } from "../../support/harness";

export interface StoreFixture {
  dir: string;
  /** Open until cleanup; a test that reopens the store puts the new one here. */
  store: Store;
  /** Builds an ACI named `name` in the fixture's dir and returns its path. */
  aci(name: string, extra?: Record<string, unknown>, spec?: Omit<TestImageSpec, "manifest">): string;
  /** Builds and imports an image; returns its key. */
  image(name: string, extra?: Record<string, unknown>, spec?: Omit<TestImageSpec, "manifest">): Promise<string>;
  cleanup(): void;
}

let counter = 0;

export function storeFixture(): StoreFixture {
  const tmp = tempDir("rkt-store-");
  const store = Store.open(`${tmp.path}/data`);
  const aci = (name: string, extra: Record<string, unknown> = {}, spec: Omit<TestImageSpec, "manifest"> = {}) =>
    makeTestAci(tmp.path, `image-${counter++}.aci`, { manifest: imageManifest(name, extra), ...spec });
  const fixture: StoreFixture = {
    dir: tmp.path,
    store,
    aci,
    image: async (name, extra, spec) => (await fixture.store.importAci(aci(name, extra, spec))).key,
    cleanup: () => {
      fixture.store.close();
      tmp.cleanup();
    },
  };
  return fixture;
}

/** The store key computed independently: sha512 of the gunzipped file, 64 hex. */
export function expectedKey(gzippedAci: string): string {
  return `sha512-${createHash("sha512").update(gunzipSync(readFileSync(gzippedAci))).digest("hex").slice(0, 64)}`;
}

/**
 * An uncompressed ACI `example.com/big` in `dir`: 150 MB of random bytes and 2000 small
 * files, so that an import or a render takes long enough to be interrupted.
 */
export function bigAci(dir: string): string {
  const payload = join(dir, "payload");
  Bun.spawnSync(["head", "-c", "150M", "/dev/urandom"], { stdout: Bun.file(payload) });
  const files: Record<string, string> = {};
  for (let i = 0; i < 2000; i++) files[`many/${i % 40}/file-${i}`] = `content ${i}`;
  return makeTestAci(dir, "big.aci", { manifest: imageManifest("example.com/big"), copies: { "big/payload": payload }, files, compression: "none" });
}
