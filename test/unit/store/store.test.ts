import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Store } from "../../../src/store";
import { exportImage } from "../../../src/store/image-output";
import { CURRENT_DB_VERSION } from "../../../src/store/migrations";
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
  test("keeps the file as received under a key of the first 64 hex digits of its tar's sha512", async () => {
    const aci = f.aci("example.com/hello", {}, { files: { "etc/greeting": "hi" } });
    const { key, manifest } = await f.store.importAci(aci);
    expect(key).toBe(expectedKey(aci));
    expect(manifest.name).toBe("example.com/hello");
    const blob = f.store.blobPath(key);
    expect(blob).toBe(join(f.dir, "data/cas/blob/sha512", key.slice(7, 9), key));
    expect(readFileSync(blob).equals(readFileSync(aci))).toBe(true);
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
    // The blob that came first stays, whatever the later imports were compressed with.
    expect(readFileSync(f.store.blobPath(keys[0]!)).equals(readFileSync(plain))).toBe(true);
    expect((await f.store.verifyImage(keys[0]!)).blobIntact).toBe(true);
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
  test("removes rows, blob, manifest copy, tree and pod-use stamp; a second removal finds nothing", async () => {
    const key = await f.image("example.com/gone", {}, { files: { a: "a" } });
    const tree = await f.store.renderTree(key);
    f.store.markImagesChosenByPod([key]);
    expect(existsSync(f.store.layout.podUseStamp(key))).toBe(true);
    expect(await f.store.removeImage(key)).toEqual([]);
    expect(f.store.hasImage(key)).toBe(false);
    expect(existsSync(f.store.blobPath(key))).toBe(false);
    expect(existsSync(f.store.layout.manifest(key))).toBe(false);
    expect(existsSync(tree)).toBe(false);
    expect(existsSync(f.store.layout.podUseStamp(key))).toBe(false);
    await expect(f.store.removeImage(key)).rejects.toThrow(`cannot find image with key: ${key}`);
  });
});

describe("stores of schema 3", () => {
  test("open migrated with a backup; their uncompressed blobs verify, export and render as before", async () => {
    const aci = f.aci("example.com/old", {}, { files: { "etc/old": "kept" } });
    const { key } = await f.store.importAci(aci);
    f.store.close();
    // What schema 3 stored: the uncompressed tar as the blob, and version 3 in the index.
    const tar = gunzipSync(readFileSync(aci));
    writeFileSync(f.store.blobPath(key), tar);
    const db = new Database(f.store.layout.dbFile);
    db.run("UPDATE version SET version = 3");
    db.close();

    f.store = Store.open(join(f.dir, "data"));
    expect(f.store.index.version()).toBe(CURRENT_DB_VERSION);
    const backup = new Database(join(f.store.layout.dbBackups, "0", "store.sqlite"), { readonly: true });
    try {
      expect(backup.query("SELECT version FROM version").get()).toEqual({ version: 3 });
    } finally {
      backup.close();
    }
    expect(await f.store.verifyImage(key)).toEqual({ blobIntact: true, tree: "not rendered" });
    const exported = join(f.dir, "exported.aci");
    await exportImage(f.store, key, exported, false);
    expect(readFileSync(exported).equals(tar)).toBe(true);
    expect(readFileSync(join(await f.store.renderTree(key), "rootfs/etc/old"), "utf8")).toBe("kept");
  });
});

describe("one pass for a fetched image", () => {
  test("inside importsForRender the import writes the tree, and the render takes it without reading the blob", async () => {
    const aci = f.aci("example.com/fetched", {}, { files: { "etc/fetched": "yes" } });
    const { key } = await f.store.importsForRender(() => f.store.importAci(aci));
    // A render that read the blob again would fail on this.
    writeFileSync(f.store.blobPath(key), "no longer an image");
    const tree = await f.store.renderTree(key);
    expect(readFileSync(join(tree, "rootfs/etc/fetched"), "utf8")).toBe("yes");
    expect(f.store.trees.verify(key)).toBe(true);
    expect(readdirSync(join(f.dir, "data/cas/tmp"))).toEqual([]);
  });

  test("an image with a path whitelist of its own is rendered from the blob, filtered", async () => {
    const aci = f.aci("example.com/listed", { pathWhitelist: ["/keep"] }, { files: { keep: "1", drop: "2" } });
    const { key } = await f.store.importsForRender(() => f.store.importAci(aci));
    const tree = await f.store.renderTree(key);
    expect(existsSync(join(tree, "rootfs/keep"))).toBe(true);
    expect(existsSync(join(tree, "rootfs/drop"))).toBe(false);
    expect(readdirSync(join(f.dir, "data/cas/tmp"))).toEqual([]);
  });

  test("a staged tree that is never rendered goes with the store's close", async () => {
    await f.store.importsForRender(() => f.store.importAci(f.aci("example.com/unrendered")));
    expect(readdirSync(join(f.dir, "data/cas/tmp"))).toHaveLength(1);
    f.store.close();
    expect(readdirSync(join(f.dir, "data/cas/tmp"))).toEqual([]);
    f.store = Store.open(join(f.dir, "data"));
  });

  test("imports outside importsForRender write no tree", async () => {
    await f.image("example.com/plain");
    expect(readdirSync(join(f.dir, "data/cas/tmp"))).toEqual([]);
    expect(readdirSync(join(f.dir, "data/cas/tree"))).toEqual([]);
  });
});
