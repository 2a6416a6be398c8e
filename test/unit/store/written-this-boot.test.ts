// Blobs and trees are written without a sync and marked with the boot they were written in:
// trusted as they are in that boot, proven (re-hashed) once before their first use in a
// later one. A reboot cannot be made here, so an earlier boot's mark is written by hand.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { storeFixture, type StoreFixture } from "./fixtures";

let f: StoreFixture;
beforeEach(() => {
  f = storeFixture();
});
afterEach(() => f.cleanup());

const thisBoot = `unsynced ${readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()}\n`;
const earlierBoot = "unsynced 00000000-0000-4000-8000-000000000000\n";

async function renderedImage(): Promise<{ key: string; tree: string }> {
  const key = await f.image("example.com/a", {}, { files: { "etc/greeting": "hello" } });
  return { key, tree: await f.store.renderTree(key) };
}

describe("trees", () => {
  test("a new tree's marker holds this boot; a changed file is then trusted by render, and found by verify", async () => {
    const { key, tree } = await renderedImage();
    expect(readFileSync(join(tree, "rendered"), "utf8")).toBe(thisBoot);
    writeFileSync(join(tree, "rootfs/etc/greeting"), "changed");
    await f.store.renderTree(key);
    expect(readFileSync(join(tree, "rootfs/etc/greeting"), "utf8")).toBe("changed");
    expect(f.store.trees.verify(key)).toBe(false);
  });

  test("a tree of an earlier boot is re-hashed before its first use, and then marked as on disk", async () => {
    const { key, tree } = await renderedImage();
    writeFileSync(join(tree, "rendered"), earlierBoot);
    await f.store.renderTree(key);
    expect(readFileSync(join(tree, "rendered"), "utf8")).toBe("");
    expect(readFileSync(join(tree, "rootfs/etc/greeting"), "utf8")).toBe("hello");
  });

  test("a tree of an earlier boot that differs from its hash is rendered again", async () => {
    const { key, tree } = await renderedImage();
    writeFileSync(join(tree, "rootfs/etc/greeting"), "half-written");
    writeFileSync(join(tree, "rendered"), earlierBoot);
    await f.store.renderTree(key);
    expect(readFileSync(join(tree, "rootfs/etc/greeting"), "utf8")).toBe("hello");
    expect(readFileSync(join(tree, "rendered"), "utf8")).toBe(thisBoot);
  });

  test("an empty marker (a synced tree, or an older store's) is trusted without a re-hash", async () => {
    const { key, tree } = await renderedImage();
    writeFileSync(join(tree, "rendered"), "");
    writeFileSync(join(tree, "rootfs/etc/greeting"), "changed");
    await f.store.renderTree(key);
    expect(readFileSync(join(tree, "rootfs/etc/greeting"), "utf8")).toBe("changed");
  });
});

describe("blobs", () => {
  const markOf = (key: string) => f.store.layout.unsyncedBlobMark(key);

  test("a new blob is marked with this boot, and the mark goes with the image", async () => {
    const key = await f.image("example.com/a");
    expect(readFileSync(markOf(key), "utf8")).toBe(thisBoot);
    await f.store.removeImage(key);
    expect(existsSync(markOf(key))).toBe(false);
  });

  test("a blob of an earlier boot is proven before it is read, and its mark removed", async () => {
    const key = await f.image("example.com/a");
    writeFileSync(markOf(key), earlierBoot);
    expect(f.store.blobPath(key)).toBe(f.store.layout.blob(key));
    expect(existsSync(markOf(key))).toBe(false);
    expect((await f.store.renderTree(key)).endsWith(key)).toBe(true);
  });

  test("a blob of an earlier boot that no longer hashes to its key is refused, with what to do", async () => {
    const key = await f.image("example.com/a");
    writeFileSync(markOf(key), earlierBoot);
    truncateSync(f.store.layout.blob(key), 100);
    const refusal = `image ${key} did not reach the disk whole before the machine went down: remove it with 'rkt image rm ${key}' and fetch it again`;
    expect(() => f.store.blobPath(key)).toThrow(refusal);
    await expect(f.store.renderTree(key)).rejects.toThrow(refusal);
    expect(existsSync(markOf(key))).toBe(true);
  });

  test("a blob of this boot is read without a proof", async () => {
    const key = await f.image("example.com/a");
    truncateSync(f.store.layout.blob(key), 100);
    expect(f.store.blobPath(key)).toBe(f.store.layout.blob(key));
  });
});
