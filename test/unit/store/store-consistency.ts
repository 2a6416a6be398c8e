// What every store must look like after any crash: the index names no image whose files
// are missing, and a tree is either complete (marker + hash that verifies) or unmarked.
import { expect } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import type { Store } from "../../../src/store";

export function expectConsistent(store: Store): void {
  for (const { key } of store.index.allAciInfos()) {
    expect(existsSync(store.blobPath(key))).toBe(true);
    expect(existsSync(store.layout.manifest(key))).toBe(true);
  }
  for (const key of readdirSync(store.layout.trees)) {
    if (store.trees.isRendered(key)) expect(store.trees.verify(key)).toBe(true);
  }
}
