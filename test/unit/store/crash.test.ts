import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Store } from "../../../src/store";
import { tempDir } from "../../support/harness";
import { bigAci as makeBigAci } from "./fixtures";
import { expectConsistent } from "./store-consistency";

const child = join(import.meta.dir, "store-child.ts");
let work: { path: string; cleanup: () => void };
let bigAci: string;

beforeAll(() => {
  work = tempDir("rkt-store-crash-");
  bigAci = makeBigAci(work.path);
});
afterAll(() => work.cleanup());

/**
 * Starts the child and SIGKILLs it as soon as `midWay` holds; expects the kill to have
 * ended it, so a child that finished (or failed) first does not pass for an interrupted one.
 */
async function killWhen(dataDir: string, args: string[], midWay: () => boolean): Promise<void> {
  const proc = Bun.spawn([process.execPath, child, dataDir, ...args], { stdout: "ignore", stderr: "ignore" });
  while (proc.exitCode === null && !midWay()) await Bun.sleep(1);
  proc.kill("SIGKILL");
  await proc.exited;
  expect({ exitCode: proc.exitCode, signalCode: proc.signalCode }).toEqual({ exitCode: null, signalCode: "SIGKILL" });
}

function anyWorkFile(dataDir: string): boolean {
  const tmp = join(dataDir, "cas/tmp");
  if (!existsSync(tmp)) return false;
  return readdirSync(tmp).some((d) => d.startsWith("work-") && readdirSync(join(tmp, d)).length > 0);
}

describe("kill -9", () => {
  test("during an import leaves nothing the store trusts, and the next import succeeds", async () => {
    const dataDir = join(work.path, "import-data");
    await killWhen(dataDir, ["import", bigAci], () => anyWorkFile(dataDir));
    const store = Store.open(dataDir);
    try {
      expectConsistent(store);
      const { key } = await store.importAci(bigAci);
      expect(store.hasImage(key)).toBe(true);
      expect(readdirSync(store.layout.tmp)).toEqual([]);
      await store.renderTree(key);
      expectConsistent(store);
    } finally {
      store.close();
    }
  });

  test("during a render leaves no tree marked rendered, and the next render succeeds", async () => {
    const dataDir = join(work.path, "render-data");
    const setup = Store.open(dataDir);
    const { key } = await setup.importAci(bigAci);
    setup.close();
    await killWhen(dataDir, ["render", key], () => existsSync(join(dataDir, "cas/tree", key, "rootfs/many")));
    const store = Store.open(dataDir);
    try {
      expectConsistent(store);
      await store.renderTree(key);
      expect(store.trees.isRendered(key)).toBe(true);
      expect(store.trees.verify(key)).toBe(true);
    } finally {
      store.close();
    }
  });
});
