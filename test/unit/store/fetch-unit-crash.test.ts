// A fetch (Store.asOneUnit) killed with SIGKILL after its import, in the middle of its
// render, is undone by the next Store.open: the image it brought in is gone, as if the
// fetch had failed. An image whose tree was rendered is kept.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Store, withStore } from "../../../src/store";
import { repoRoot, tempDir } from "../../support/harness";
import { bigAci as makeBigAci } from "./fixtures";

let work: { path: string; cleanup: () => void };
let bigAci: string;

beforeAll(() => {
  work = tempDir("rkt-store-unit-crash-");
  bigAci = makeBigAci(work.path);
});
afterAll(() => work.cleanup());

// The child imports and renders the image as one unit, as `rkt fetch` does.
const fetchAsOneUnit = `
  const { withStore } = await import(${JSON.stringify(join(repoRoot, "src/store"))});
  const [dataDir, aci] = process.argv.slice(-2);
  await withStore(dataDir, (store) => store.asOneUnit(async () => store.renderTree((await store.importAci(aci)).key)));
`;

function treesBeingRendered(dataDir: string): boolean {
  const trees = join(dataDir, "cas/tree");
  return existsSync(trees) && readdirSync(trees).some((key) => existsSync(join(trees, key, "rootfs")) && !existsSync(join(trees, key, "rendered")));
}

test("a fetch killed mid-render leaves no image once the store is opened again", async () => {
  const dataDir = join(work.path, "killed");
  const proc = Bun.spawn([process.execPath, "-e", fetchAsOneUnit, dataDir, bigAci], { stdout: "ignore", stderr: "pipe" });
  while (proc.exitCode === null && !treesBeingRendered(dataDir)) await Bun.sleep(1);
  proc.kill("SIGKILL");
  await proc.exited;
  expect(proc.signalCode).toBe("SIGKILL");
  await withStore(dataDir, (store) => {
    expect(store.listImages()).toEqual([]);
    expect(readdirSync(join(dataDir, "cas/tree"))).toEqual([]);
    expect(readdirSync(join(dataDir, "cas/tmp"))).toEqual([]);
  });
});

test("a fetch that completed keeps its image across the next open", async () => {
  const dataDir = join(work.path, "completed");
  const proc = Bun.spawn([process.execPath, "-e", fetchAsOneUnit, dataDir, bigAci], { stdout: "ignore", stderr: "pipe" });
  expect(await proc.exited).toBe(0);
  const store = Store.open(dataDir);
  try {
    expect(store.listImages().map((i) => i.name)).toEqual(["example.com/big"]);
  } finally {
    store.close();
  }
});
