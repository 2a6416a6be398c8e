// Files made in `cas/tmp` before an import (a squashed Docker image) keep the filesystem's
// free-space reserve too: a stream that would fill a small store stops with one line.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { writeAciFile } from "../../../src/appc";
import { Store } from "../../../src/store";
import { tempDir } from "../../support/harness";

let work: { path: string; cleanup: () => void };
let mounted = false;

beforeAll(() => {
  work = tempDir("rkt-store-reserve-");
  mkdirSync(join(work.path, "fs"));
  const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=100m", "tmpfs", join(work.path, "fs")]);
  if (mount.exitCode !== 0) throw new Error(`mount tmpfs: ${mount.stderr}`);
  mounted = true;
});
afterAll(() => {
  if (mounted) Bun.spawnSync(["umount", join(work.path, "fs")]);
  work.cleanup();
});

async function* zeros(mib: number): AsyncGenerator<Uint8Array> {
  const chunk = new Uint8Array(1 << 20);
  for (let i = 0; i < mib; i++) yield chunk;
}

test("a stream written into cas/tmp stops before the reserve, and its temp file goes", async () => {
  const store = Store.open(join(work.path, "fs/data"));
  try {
    const tmp = join(work.path, "fs/data/cas/tmp");
    const written = writeAciFile(join(tmp, "squashed.aci"), store.withinReserve(zeros(200)), { compress: false, overwrite: false });
    await expect(written).rejects.toThrow(
      new RegExp(`^write ${tmp}: stopped before the store's filesystem is full \\(\\d+ MiB free, 64 MiB kept in reserve\\); free space or remove images with rkt image rm$`),
    );
    expect(readdirSync(tmp)).toEqual([]);
    // Within the reserve, the stream passes unchanged.
    await writeAciFile(join(tmp, "small.aci"), store.withinReserve(zeros(10)), { compress: false, overwrite: false });
    expect(readdirSync(tmp)).toEqual(["small.aci"]);
  } finally {
    store.close();
  }
});
