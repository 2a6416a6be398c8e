import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderOrder } from "../../../src/store/render-order";
import { native } from "../../../src/sys";
import { storeFixture, type StoreFixture } from "./fixtures";

let f: StoreFixture;
beforeEach(() => {
  f = storeFixture();
});
afterEach(() => f.cleanup());

const dependsOn = (...names: string[]) => ({ dependencies: names.map((imageName) => ({ imageName })) });
const read = (tree: string, path: string) => readFileSync(join(tree, "rootfs", path), "utf8");

/** A(x) depends on [B, C]; C depends on [D]. Each image writes its own letter into some files. */
async function diamondlessTree(): Promise<Record<string, string>> {
  const d = await f.image("example.com/d", {}, { files: { z: "D", w: "D" } });
  const c = await f.image("example.com/c", dependsOn("example.com/d"), { files: { y: "C", z: "C" } });
  const b = await f.image("example.com/b", {}, { files: { x: "B", y: "B", v: "B" } });
  const a = await f.image("example.com/a", dependsOn("example.com/b", "example.com/c"), { files: { x: "A" } });
  return { a, b, c, d };
}

describe("dependency order", () => {
  test("depth first, each image's last dependency right after it", async () => {
    const k = await diamondlessTree();
    expect(renderOrder(f.store, k.a!).map((l) => [l.key, l.level])).toEqual([
      [k.a, 0],
      [k.c, 1],
      [k.d, 2],
      [k.b, 1],
    ]);
  });

  test("a dependency found twice in the tree is an error", async () => {
    await f.image("example.com/b");
    await f.image("example.com/c", dependsOn("example.com/b"));
    const a = await f.image("example.com/a", dependsOn("example.com/b", "example.com/c"));
    expect(() => renderOrder(f.store, a)).toThrow(`dependency example.com/b specified multiple times in the dependency tree for imageID: ${a}`);
  });

  test("a dependency given by image ID must be that image", async () => {
    const b = await f.image("example.com/b");
    const a = await f.image("example.com/a", { dependencies: [{ imageName: "example.com/b", imageID: b }] });
    expect(renderOrder(f.store, a).map((l) => l.key)).toEqual([a, b]);
    const missing = await f.image("example.com/m", { dependencies: [{ imageName: "example.com/b", imageID: "sha512-00ff" }] });
    expect(() => renderOrder(f.store, missing)).toThrow("dependency example.com/b with image ID sha512-00ff is not in the local store");
  });

  test("dependency labels must match, os and arch are not defaulted", async () => {
    await f.image("example.com/noarch", { labels: [] });
    const a = await f.image("example.com/a", { dependencies: [{ imageName: "example.com/noarch" }] });
    expect(renderOrder(f.store, a)).toHaveLength(2);
    const wrong = await f.image("example.com/w", { dependencies: [{ imageName: "example.com/noarch", labels: [{ name: "version", value: "9" }] }] });
    expect(() => renderOrder(f.store, wrong)).toThrow(/cannot find aci satisfying name: "example.com\/noarch"/);
  });
});

describe("rendering", () => {
  test("the image wins over its dependencies, and a later dependency over an earlier one", async () => {
    const k = await diamondlessTree();
    const tree = await f.store.renderTree(k.a!);
    expect(tree).toBe(join(f.dir, "data/cas/tree", k.a!));
    expect([read(tree, "x"), read(tree, "y"), read(tree, "z"), read(tree, "w"), read(tree, "v")]).toEqual(["A", "C", "C", "D", "B"]);
    expect(JSON.parse(readFileSync(join(tree, "manifest"), "utf8")).name).toBe("example.com/a");
    expect(readFileSync(join(tree, "hash"), "utf8")).toMatch(/^v2:sha512-[0-9a-f]{128}$/);
    expect(existsSync(join(tree, "rendered"))).toBe(true);
  });

  test("pathWhitelist: the image's own files outside it are dropped, its directories kept", async () => {
    const a = await f.image("example.com/a", { pathWhitelist: ["/keep", "/dir/kept"] }, { files: { keep: "1", drop: "2", "dir/kept": "3", "dir/dropped": "4" } });
    const tree = await f.store.renderTree(a);
    expect(existsSync(join(tree, "rootfs/keep"))).toBe(true);
    expect(existsSync(join(tree, "rootfs/dir/kept"))).toBe(true);
    expect(existsSync(join(tree, "rootfs/drop"))).toBe(false);
    expect(existsSync(join(tree, "rootfs/dir/dropped"))).toBe(false);
  });

  test("pathWhitelist: a dependency is filtered by the top image's list, directories included", async () => {
    await f.image("example.com/b", {}, { files: { "fromdep": "b", "listed": "b", "depdir/file": "b" } });
    const a = await f.image("example.com/a", { ...dependsOn("example.com/b"), pathWhitelist: ["/listed", "/mine"] }, { files: { mine: "a" } });
    const tree = await f.store.renderTree(a);
    expect(read(tree, "listed")).toBe("b");
    expect(read(tree, "mine")).toBe("a");
    expect(existsSync(join(tree, "rootfs/fromdep"))).toBe(false);
    expect(existsSync(join(tree, "rootfs/depdir"))).toBe(false);
  });

  test("a rendered tree is reused as it is, without re-hashing", async () => {
    const a = await f.image("example.com/a", {}, { files: { x: "A" } });
    const tree = await f.store.renderTree(a);
    writeFileSync(join(tree, "rootfs/intruder"), "changed behind the store's back");
    expect(await f.store.renderTree(a)).toBe(tree);
    expect(existsSync(join(tree, "rootfs/intruder"))).toBe(true);
  });

  test("verification finds a changed tree and the checked render rebuilds it", async () => {
    const a = await f.image("example.com/a", {}, { files: { x: "A" } });
    const tree = await f.store.renderTree(a);
    expect(f.store.trees.verify(a)).toBe(true);
    writeFileSync(join(tree, "rootfs/x"), "tampered");
    expect(f.store.trees.verify(a)).toBe(false);
    let warned = 0;
    await f.store.trees.renderVerified(a, () => warned++);
    expect(warned).toBe(1);
    expect(read(tree, "x")).toBe("A");
    expect(f.store.trees.verify(a)).toBe(true);
  });

  test("a tree rendered while importing records the version 2 hash computed on the way, as a walk finds it", async () => {
    const { key } = await f.store.importsForRender(() => f.store.importAci(f.aci("example.com/a", {}, { files: { x: "A", "d/y": "Y" } })));
    const tree = await f.store.renderTree(key);
    const recorded = readFileSync(join(tree, "hash"), "utf8");
    expect(recorded).toMatch(/^v2:sha512-[0-9a-f]{128}$/);
    expect(native.treeHash(join(tree, "rootfs"))).toBe(recorded);
    for (const damage of [() => writeFileSync(join(tree, "rootfs/x"), "B"), () => chmodSync(join(tree, "rootfs/d"), 0o700), () => chownSync(join(tree, "rootfs/d/y"), 5, 5)]) {
      expect(f.store.trees.verify(key)).toBe(true);
      damage();
      expect(f.store.trees.verify(key)).toBe(false);
      await f.store.trees.renderVerified(key, () => {});
    }
  });

  test("a tree rendered with a dependency while importing is hashed by a walk of the whole tree", async () => {
    await f.image("example.com/b", {}, { files: { y: "B", z: "B" } });
    const { key } = await f.store.importsForRender(() => f.store.importAci(f.aci("example.com/a", dependsOn("example.com/b"), { files: { x: "A", y: "A" } })));
    const tree = await f.store.renderTree(key);
    expect(read(tree, "z")).toBe("B");
    // The hash of the import alone would miss the dependency's files: the walk's covers them.
    expect(readFileSync(join(tree, "hash"), "utf8")).toBe(native.treeHash(join(tree, "rootfs")));
    writeFileSync(join(tree, "rootfs/z"), "tampered");
    expect(f.store.trees.verify(key)).toBe(false);
  });

  test("a tree of an image with a path whitelist is extracted again, filtered, and hashed by a walk", async () => {
    const aci = f.aci("example.com/a", { pathWhitelist: ["/keep"] }, { files: { keep: "1", drop: "2" } });
    const { key } = await f.store.importsForRender(() => f.store.importAci(aci));
    const tree = await f.store.renderTree(key);
    expect(existsSync(join(tree, "rootfs/drop"))).toBe(false);
    expect(readFileSync(join(tree, "hash"), "utf8")).toBe(native.treeHash(join(tree, "rootfs")));
  });

  test("a tree hashed by an older store (version 1) is still checked, with version 1", async () => {
    const a = await f.image("example.com/a", {}, { files: { x: "A" } });
    const tree = await f.store.renderTree(a);
    const v1 = native.treeHash(join(tree, "rootfs"), 1);
    expect(v1).toMatch(/^sha512-[0-9a-f]{128}$/);
    writeFileSync(join(tree, "hash"), v1);
    expect(f.store.trees.verify(a)).toBe(true);
    let rebuilt = 0;
    const copy = join(f.dir, "copy");
    await f.store.trees.copyRootfsVerified(a, copy, () => rebuilt++);
    expect(rebuilt).toBe(0);
    writeFileSync(join(tree, "rootfs/x"), "tampered");
    expect(f.store.trees.verify(a)).toBe(false);
  });

  test("a tree without its rendered marker is thrown away and rendered again", async () => {
    const a = await f.image("example.com/a", {}, { files: { x: "A" } });
    const tree = f.store.trees.path(a);
    mkdirSync(join(tree, "rootfs"), { recursive: true });
    writeFileSync(join(tree, "rootfs/leftover"), "from a crashed render");
    expect(f.store.trees.isRendered(a)).toBe(false);
    await f.store.renderTree(a);
    expect(existsSync(join(tree, "rootfs/leftover"))).toBe(false);
    expect(read(tree, "x")).toBe("A");
    expect(f.store.trees.isRendered(a)).toBe(true);
  });
});
