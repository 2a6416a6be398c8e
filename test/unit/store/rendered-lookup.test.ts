// A start from images named by ID finds them in their rendered trees, without the index
// (src/store/rendered-lookup.ts); the index decides whenever a tree cannot.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Store } from "../../../src/store";
import { lockKeyFile } from "../../../src/sys";
import { storeFixture, type StoreFixture } from "./fixtures";

let f: StoreFixture;
beforeEach(() => {
  f = storeFixture();
});
afterEach(() => f.cleanup());

const dataDir = () => join(f.dir, "data");

/** Reopens the store with the index on demand, its database file no database any more: any use of the index fails. */
function reopenWithUnreadableIndex(): Store {
  f.store.close();
  writeFileSync(f.store.layout.dbFile, "not a database, so any use of the index fails".repeat(100));
  f.store = Store.open(dataDir(), { indexOnDemand: true });
  return f.store;
}

async function renderedImage(name: string): Promise<string> {
  const key = await f.image(name, {}, { files: { a: "a" } });
  await f.store.renderTree(key);
  return key;
}

describe("without the index", () => {
  test("an image whose tree is rendered is found by its key or a prefix, and its manifest read", async () => {
    const key = await renderedImage("example.com/rendered");
    const store = reopenWithUnreadableIndex();
    expect(store.resolveKey(key)).toBe(key);
    expect(store.resolveKey(key.slice(0, 20))).toBe(key);
    expect(store.hasImage(key)).toBe(true);
    expect(store.readManifest(key).name).toBe("example.com/rendered");
    expect(await store.renderTree(key)).toBe(store.layout.tree(key));
  });

  test("an image not rendered is asked of the index", async () => {
    const key = await f.image("example.com/unrendered");
    const store = reopenWithUnreadableIndex();
    expect(() => store.resolveKey(key)).toThrow(/not a database/);
  });

  test("a tree written in an earlier boot, still to be proven, is not taken as proof", async () => {
    const key = await renderedImage("example.com/earlier-boot");
    writeFileSync(join(f.store.layout.tree(key), "rendered"), "unsynced 00000000-0000-0000-0000-000000000000\n");
    const store = reopenWithUnreadableIndex();
    expect(() => store.resolveKey(key)).toThrow(/not a database/);
  });

  test("a tree whose manifest copy is gone (an older rkt's removal, killed midway) is not taken as proof", async () => {
    const key = await renderedImage("example.com/half-removed");
    // rkt before this store version removed the row, then the blob and manifest copy, and the tree last.
    rmSync(f.store.layout.manifest(key));
    const store = reopenWithUnreadableIndex();
    expect(() => store.resolveKey(key)).toThrow(/not a database/);
    expect(() => store.hasImage(key)).toThrow(/not a database/);
  });

  test("a prefix that two manifest copies share is asked of the index, which knows the one stored", async () => {
    const key = await renderedImage("example.com/shared-prefix");
    // A stale manifest copy (a removal that could not delete it) of another key with the same prefix.
    const stale = `${key.slice(0, 20)}${key[20] === "0" ? "1" : "0"}${key.slice(21)}`;
    copyFileSync(f.store.layout.manifest(key), f.store.layout.manifest(stale));
    expect(f.store.resolveKey(key.slice(0, 20))).toBe(key);
    const store = reopenWithUnreadableIndex();
    expect(() => store.resolveKey(key.slice(0, 20))).toThrow(/not a database/);
    expect(store.resolveKey(key)).toBe(key);
  });
});

test("a removal takes the tree's marker away before the image's row, so a marker always means a stored image", async () => {
  const key = await renderedImage("example.com/removed");
  const marker = join(f.store.layout.tree(key), "rendered");
  // The removal in another process waits for the image lock we hold: what it did before is on disk.
  const imageLock = lockKeyFile(f.store.layout.imageLock(key), "shared")!;
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "store-child.ts"), dataDir(), "remove", key], { stdout: "ignore", stderr: "pipe" });
  try {
    while (!/lock_inode_wait/.test(readFileSync(`/proc/${child.pid}/wchan`, "utf8"))) await Bun.sleep(5);
    expect(existsSync(marker)).toBe(false);
    expect(f.store.index.aciInfo(key)).toBeDefined();
  } finally {
    imageLock.close();
  }
  expect(await child.exited).toBe(0);
  expect(f.store.index.aciInfo(key)).toBeUndefined();
  expect(existsSync(f.store.layout.tree(key))).toBe(false);
});
