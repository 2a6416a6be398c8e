// The import of a Docker image's layers while the bottom one still arrives
// (src/store/docker-layers-import.ts): the import reads the bottom layer's file as it is
// written, ends only once the arrival says it is whole, and either side's failure stops
// the other with the right error.
import { afterAll, describe, expect, test } from "bun:test";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { importDockerLayerFiles } from "../../../src/store/docker-layers-import";
import { tempDir } from "../../support/harness";
import { tarArchive, type TarEntrySpec } from "../native/tar-builder";

const work = tempDir("rkt-arriving-layer-");
afterAll(work.cleanup);
let made = 0;

function freshDir(name: string): string {
  const dir = join(work.path, `${name}-${made++}`);
  mkdirSync(join(dir, "rootfs"), { recursive: true });
  return dir;
}

/** Bytes that gzip cannot shrink, so that an entry's place in the compressed layer is known. */
function noise(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

function gzipLayer(entries: TarEntrySpec[]): Uint8Array {
  return Bun.gzipSync(new Uint8Array(tarArchive(entries)));
}

/** Waits (bounded) until `ready()`; throws `what` if it never is. */
async function waitFor(ready: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    if (ready()) return;
    await Bun.sleep(10);
  }
  throw new Error(`never happened: ${what}`);
}

/** Writes `bytes` to the new file `path` in the given pieces, calling `grew` after each and `between(n)` before piece n > 0. */
async function arrive(path: string, pieces: Uint8Array[], grew: () => void, between: (n: number) => Promise<void> = async () => {}): Promise<void> {
  const fd = openSync(path, "wx", 0o600);
  try {
    for (const [n, piece] of pieces.entries()) {
      if (n > 0) await between(n);
      writeSync(fd, piece);
      grew();
    }
  } finally {
    closeSync(fd);
  }
}

const first = noise(200_000, 1);
const bottom = gzipLayer([
  { name: "first", data: first },
  { name: "second", data: noise(2_000_000, 2) },
]);
const upperDir = freshDir("upper");
const upper = join(upperDir, "layer-1.tar");
writeFileSync(upper, tarArchive([{ name: "top", data: "upper layer" }]));

describe("the bottom layer imported as it arrives", () => {
  test("the import reads the layer while it is written, and gives what the whole file gives", async () => {
    const wholeDir = freshDir("whole");
    const wholePath = join(wholeDir, "layer-0.gz");
    await Bun.write(wholePath, bottom);
    const whole = await importDockerLayerFiles([wholePath, upper], "{}", 0, "test image", wholeDir, join(wholeDir, "rootfs"));

    const dir = freshDir("arriving");
    const rootfs = join(dir, "rootfs");
    const path = join(dir, "layer-0.gz");
    const half = 1_000_000; // past all of `first`, which is incompressible and comes first
    const arriving = await importDockerLayerFiles([path, upper], "{}", 0, "test image", dir, rootfs, (grew) =>
      arrive(path, [bottom.subarray(0, half), bottom.subarray(half)], grew, () =>
        // Only an import that reads the file as it grows extracts `first` before the rest is written.
        waitFor(() => existsSync(join(rootfs, "first")) && statSync(join(rootfs, "first")).size === first.length, "first extracted before the rest arrived"),
      ),
    );
    expect(arriving.sha512).toBe(whole.sha512);
    expect(arriving.treeHash).toBe(whole.treeHash);
    expect(readFileSync(join(rootfs, "top"), "utf8")).toBe("upper layer");
  });

  test("a layer with bytes after its gzip stream (ignored, as gunzip does) still waits for the rest of the download", async () => {
    const wholeDir = freshDir("padded-whole");
    const padded = new Uint8Array(bottom.length + 4096);
    padded.set(bottom);
    const wholePath = join(wholeDir, "layer-0.gz");
    writeFileSync(wholePath, padded);
    const whole = await importDockerLayerFiles([wholePath], "{}", 0, "test image", wholeDir, join(wholeDir, "rootfs"));

    const dir = freshDir("padded");
    const rootfs = join(dir, "rootfs");
    const path = join(dir, "layer-0.gz");
    const arriving = await importDockerLayerFiles([path], "{}", 0, "test image", dir, rootfs, (grew) =>
      arrive(path, [padded.subarray(0, bottom.length + 16), padded.subarray(bottom.length + 16)], grew, async () => {
        // The gzip stream and the start of what follows it are there: the import has all it
        // reads, and must still wait for the download's end.
        await waitFor(() => existsSync(join(rootfs, "second")) && statSync(join(rootfs, "second")).size === 2_000_000, "the layer extracted");
        for (let i = 0; i < 50; i++) {
          grew(); // throws once the import has stopped, as it did when it ended here on its own
          await Bun.sleep(10);
        }
      }),
    );
    expect(arriving.sha512).toBe(whole.sha512);
  });

  test("a download that breaks off fails the import with the download's error, and leaves no blob", async () => {
    const dir = freshDir("broken");
    const path = join(dir, "layer-0.gz");
    const arrival = (grew: () => void) =>
      arrive(path, [bottom.subarray(0, 500_000), bottom.subarray(500_000)], grew, async () => {
        throw new Error("connection reset by the registry");
      });
    await expect(importDockerLayerFiles([path, upper], "{}", 0, "test image", dir, join(dir, "rootfs"), arrival)).rejects.toThrow("connection reset by the registry");
    expect(readdirSync(dir).filter((name) => name.startsWith("blob-"))).toEqual([]);
  });

  test("a layer the import refuses stops the download, and the import's error is told", async () => {
    const dir = freshDir("refused");
    const path = join(dir, "layer-0.gz");
    const hostile = gzipLayer([
      { name: "a/../../escaped", data: "x" },
      { name: "padding", data: noise(1_000_000, 3) },
    ]);
    let piecesWritten = 0;
    // The first piece holds more than one read of the decompressor (256 KiB out), so the import sees the entry in it.
    const pieces = [hostile.subarray(0, 400_000), hostile.subarray(400_000, 700_000), hostile.subarray(700_000)];
    const arrival = (grew: () => void) =>
      arrive(
        path,
        pieces,
        () => {
          grew();
          piecesWritten++;
        },
        // Waits at the second piece until grew() throws, as it does once the import has stopped.
        (n) => (n === 1 ? waitFor(() => (grew(), false), "the import stopped") : Promise.resolve()),
      );
    await expect(importDockerLayerFiles([path], "{}", 0, "test image", dir, join(dir, "rootfs"), arrival)).rejects.toThrow(
      /^squash layer \S+layer-0\.gz: entry "a\/\.\.\/\.\.\/escaped" points outside the image root$/,
    );
    expect(piecesWritten).toBe(1);
    expect(existsSync(join(work.path, "escaped"))).toBe(false);
  });
});
