import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Store } from "../../../src/store";
import { imageManifest, makeTestAci, tempDir } from "../../support/harness";
import { expectConsistent } from "./store-consistency";

const child = join(import.meta.dir, "store-child.ts");
let work: { path: string; cleanup: () => void };

beforeAll(() => {
  work = tempDir("rkt-store-concurrent-");
});
afterAll(() => work.cleanup());

test("8 processes opening a new store at the same instant all succeed", async () => {
  // Switching a new index to WAL fails at once, without a busy wait, while another
  // process is switching it: the processes start together so that they collide.
  for (let round = 0; round < 8; round++) {
    const dataDir = join(work.path, `opened-together-${round}`);
    const startAt = Date.now() + 500;
    const procs = Array.from({ length: 8 }, () =>
      Bun.spawn([process.execPath, child, dataDir, "open", String(startAt)], { stdout: "ignore", stderr: "pipe" }),
    );
    const failures = await Promise.all(procs.map(async (p) => ((await p.exited) === 0 ? "" : await new Response(p.stderr).text())));
    expect(failures.filter(Boolean)).toEqual([]);
  }
});

test("8 processes importing the same and different images leave one consistent store", async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) files[`d${i % 10}/f${i}`] = `shared ${i}`;
  const shared = makeTestAci(work.path, "shared.aci", { manifest: imageManifest("example.com/shared"), files });
  const own = Array.from({ length: 8 }, (_, i) =>
    makeTestAci(work.path, `own-${i}.aci`, { manifest: imageManifest(`example.com/own-${i}`), files: { [`own/${i}`]: `${i}` } }),
  );
  const dataDir = join(work.path, "data");
  const procs = own.map((mine, i) =>
    Bun.spawn([process.execPath, child, dataDir, "import", ...(i % 2 ? [shared, mine, own[(i + 1) % 8]!] : [mine, shared])], {
      stdout: "ignore",
      stderr: "pipe",
    }),
  );
  const results = await Promise.all(procs.map(async (p) => ({ code: await p.exited, stderr: await new Response(p.stderr).text() })));
  expect(results.filter((r) => r.code !== 0)).toEqual([]);

  const store = Store.open(dataDir);
  try {
    const keys = store.index.allAciInfos().map((i) => i.key).sort();
    expect(keys).toHaveLength(9);
    const blobs = readdirSync(join(dataDir, "cas/blob/sha512")).flatMap((hh) => readdirSync(join(dataDir, "cas/blob/sha512", hh))).sort();
    const manifests = readdirSync(join(dataDir, "cas/imageManifest/sha512")).flatMap((hh) => readdirSync(join(dataDir, "cas/imageManifest/sha512", hh))).sort();
    expect(blobs).toEqual(keys);
    expect(manifests).toEqual(keys);
    expect(readdirSync(store.layout.trees).sort()).toEqual(keys);
    for (const key of keys) expect(store.trees.isRendered(key)).toBe(true);
    expectConsistent(store);
  } finally {
    store.close();
  }
});
