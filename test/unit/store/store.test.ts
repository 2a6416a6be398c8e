import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTestAci } from "../../support/harness";
import { expectedKey, storeFixture, type StoreFixture } from "./fixtures";

let f: StoreFixture;
beforeEach(() => {
  f = storeFixture();
});
afterEach(() => f.cleanup());

const version = (v: string) => ({
  labels: [
    { name: "version", value: v },
    { name: "os", value: "linux" },
    { name: "arch", value: "amd64" },
  ],
});

describe("import", () => {
  test("stores the uncompressed tar under a key of the first 64 hex digits of its sha512", async () => {
    const aci = f.aci("example.com/hello", {}, { files: { "etc/greeting": "hi" } });
    const { key, manifest } = await f.store.importAci(aci);
    expect(key).toBe(expectedKey(aci));
    expect(manifest.name).toBe("example.com/hello");
    const blob = f.store.blobPath(key);
    expect(blob).toBe(join(f.dir, "data/cas/blob/sha512", key.slice(7, 9), key));
    expect(expectedKey(aci)).toBe(`sha512-${new Bun.CryptoHasher("sha512").update(readFileSync(blob)).digest("hex").slice(0, 64)}`);
    expect(JSON.parse(readFileSync(join(f.dir, "data/cas/imageManifest/sha512", key.slice(7, 9), key), "utf8")).name).toBe("example.com/hello");
    expect(f.store.index.aciInfo(key)).toMatchObject({ appName: "example.com/hello", latest: false });
  });

  test("blobs are readable and writable by the rkt group, as rkt install expects", async () => {
    const { key } = await f.store.importAci(f.aci("example.com/mode"));
    expect(statSync(f.store.blobPath(key)).mode & 0o777).toBe(0o660);
  });

  test("the key is that of the uncompressed tar, whatever the compression", async () => {
    const plain = makeTestAci(f.dir, "plain.aci", { manifest: { acKind: "ImageManifest", acVersion: "0.6.1", name: "example.com/same" }, compression: "none" });
    const keys = [(await f.store.importAci(plain)).key];
    for (const tool of ["gzip", "bzip2", "xz"]) {
      const packed = join(f.dir, `packed.${tool}.aci`);
      writeFileSync(packed, Bun.spawnSync([tool, "-c", plain]).stdout);
      keys.push((await f.store.importAci(packed)).key);
    }
    expect(new Set(keys).size).toBe(1);
    expect(f.store.index.allAciInfos()).toHaveLength(1);
  });

  test("importing the same image twice keeps one row and refreshes its import time", async () => {
    const aci = f.aci("example.com/twice");
    const first = await f.store.importAci(aci);
    const before = f.store.index.aciInfo(first.key)!.importTime.getTime();
    await Bun.sleep(5);
    const second = await f.store.importAci(aci, { latest: true });
    expect(second.key).toBe(first.key);
    expect(f.store.index.allAciInfos()).toHaveLength(1);
    expect(f.store.index.aciInfo(first.key)!.importTime.getTime()).toBeGreaterThan(before);
    expect(f.store.index.aciInfo(first.key)!.latest).toBe(true);
  });

  test("an invalid manifest is refused with the field it got wrong", async () => {
    const aci = makeTestAci(f.dir, "bad.aci", { manifest: { acKind: "ImageManifest", name: "example.com/bad" } });
    await expect(f.store.importAci(aci)).rejects.toThrow(/bad image manifest in .*bad\.aci: .*acVersion/);
    expect(f.store.index.allAciInfos()).toHaveLength(0);
  });

  test("leaves no scratch files behind", async () => {
    await f.image("example.com/clean");
    expect(readdirSync(join(f.dir, "data/cas/tmp"))).toEqual([]);
  });
});

describe("lookups", () => {
  test("a key prefix of two hex digits or more resolves; longer input is cut to the key", async () => {
    const key = await f.image("example.com/prefix");
    expect(f.store.resolveKey(key.slice(0, 9))).toBe(key);
    expect(f.store.resolveKey(key.toUpperCase().replace("SHA512-", "sha512-"))).toBe(key);
    expect(f.store.resolveKey(`${key}${"0".repeat(64)}`)).toBe(key);
    expect(() => f.store.resolveKey("sha512-a")).toThrow(/too short/);
    const other = key[7] === "0" ? "1" : "0";
    expect(() => f.store.resolveKey(`sha512-${other}${other}`)).toThrow("no keys found");
  });

  test("a prefix shared by several keys is ambiguous", () => {
    for (const key of ["sha512-abc1", "sha512-abd2"]) f.store.index.putAciInfo({ key, appName: "x", importTime: new Date(), latest: false, lastUsed: new Date() });
    expect(() => f.store.resolveKey("sha512-ab")).toThrow('ambiguous key: "sha512-ab"');
  });

  test("by name without a version, an image imported as latest wins over a newer import", async () => {
    const latest = (await f.store.importAci(f.aci("example.com/app", version("1.0.0")), { latest: true })).key;
    await Bun.sleep(5);
    await f.image("example.com/app", version("2.0.0"));
    expect(f.store.findImageByName("example.com/app", [])).toBe(latest);
  });

  test("by name without latest rows, the newest import wins", async () => {
    await f.image("example.com/app", version("1.0.0"));
    await Bun.sleep(5);
    const newer = await f.image("example.com/app", version("2.0.0"));
    expect(f.store.findImageByName("example.com/app", [{ name: "os", value: "linux" }])).toBe(newer);
  });

  test("a requested version must match and ignores the latest mark", async () => {
    const one = await f.image("example.com/app", version("1.0.0"));
    await f.store.importAci(f.aci("example.com/app", version("2.0.0")), { latest: true });
    expect(f.store.findImageByName("example.com/app", [{ name: "version", value: "1.0.0" }])).toBe(one);
    expect(() => f.store.findImageByName("example.com/app", [{ name: "version", value: "3.0.0" }])).toThrow(
      `cannot find aci satisfying name: "example.com/app" with labels version=3.0.0 in the local store (see 'rkt image list')`,
    );
  });

  test("image references of the image commands: ID prefix, name, name:version, no os/arch defaults", async () => {
    const key = await f.image("example.com/ref", {
      labels: [
        { name: "version", value: "1.0" },
        { name: "os", value: "freebsd" },
      ],
    });
    expect(f.store.resolveImageReference(key.slice(0, 20))).toBe(key);
    expect(f.store.resolveImageReference("example.com/ref")).toBe(key);
    expect(f.store.resolveImageReference("example.com/ref:1.0")).toBe(key);
    expect(() => f.store.resolveImageReference("example.com/ref:2.0")).toThrow(/^cannot find image: cannot find aci satisfying name/);
  });

  test("lists images with name, version and latest mark", async () => {
    const key = await f.image("example.com/listed", version("3.1"));
    expect(f.store.listImages()).toEqual([
      { key, name: "example.com/listed", version: "3.1", importTime: expect.any(Date), latest: false },
    ]);
  });
});

describe("removal", () => {
  test("removes rows, blob, manifest copy and tree; a second removal finds nothing", async () => {
    const key = await f.image("example.com/gone", {}, { files: { a: "a" } });
    const tree = await f.store.renderTree(key);
    expect(await f.store.removeImage(key)).toEqual([]);
    expect(f.store.hasImage(key)).toBe(false);
    expect(existsSync(f.store.blobPath(key))).toBe(false);
    expect(existsSync(f.store.layout.manifest(key))).toBe(false);
    expect(existsSync(tree)).toBe(false);
    await expect(f.store.removeImage(key)).rejects.toThrow(`cannot find image with key: ${key}`);
  });
});
