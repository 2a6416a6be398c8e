// A Docker image's layers squashed into the store keep the filesystem's free-space reserve:
// a layer that would fill a small store (a gzip bomb) stops with one line, and its blob goes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Store } from "../../../src/store";
import { tempDir } from "../../support/harness";
import { tarArchive } from "../native/tar-builder";

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

/** A gzip layer of one file of `mib` MiB of zeros, outside the store. */
function zerosLayer(mib: number): string {
  const path = join(work.path, `zeros-${mib}.tar.gz`);
  writeFileSync(path, Bun.gzipSync(new Uint8Array(tarArchive([{ name: "zeros", data: new Uint8Array(mib << 20) }]))));
  return path;
}

const manifest = '{"acKind":"ImageManifest","acVersion":"0.6.1","name":"example.com/zeros"}';

test("a squashed Docker image stops before the reserve, and its temp files go", async () => {
  const store = Store.open(join(work.path, "fs/data"));
  try {
    const tmp = join(work.path, "fs/data/cas/tmp");
    await expect(store.importDockerLayers([zerosLayer(64)], manifest, 0, "example.com/zeros")).rejects.toThrow(
      /^import example\.com\/zeros: stopped before the store's filesystem is full \(\d+ MiB free, 64 MiB kept in reserve\); free space or remove images with rkt image rm$/,
    );
    expect(readdirSync(tmp)).toEqual([]);
    // Within the reserve, the image is stored.
    const { key } = await store.importDockerLayers([zerosLayer(10)], manifest, 0, "example.com/zeros");
    expect(store.index.aciInfo(key)?.appName).toBe("example.com/zeros");
    expect(readdirSync(tmp)).toEqual([]);
  } finally {
    store.close();
  }
});
