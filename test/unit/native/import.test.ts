// importAci: the ACI kept as it is (gzip/bzip2/xz/plain), and one pass over it gives the
// SHA-512 of its tar, the manifest and, when asked, the rendered rootfs. readBlob reads a
// kept blob back as its tar.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { native } from "../../../src/sys";
import { repoRoot, tempDir } from "../../support/harness";
import { run } from "./fixtures";
import { tarArchive } from "./tar-builder";

let work: { path: string; cleanup: () => void };
let tar: string;
let tmp: string;
const manifest = '{"acKind":"ImageManifest","acVersion":"0.6.1","name":"example.com/test"}';

const sha512sum = (path: string) => run(["sha512sum", path]).split(" ")[0];

beforeAll(() => {
  work = tempDir("rkt-native-import-");
  const src = join(work.path, "src");
  mkdirSync(join(src, "rootfs/etc"), { recursive: true });
  writeFileSync(join(src, "manifest"), manifest);
  writeFileSync(join(src, "rootfs/etc/data"), Buffer.alloc(5 << 20, "some compressible text "));
  writeFileSync(join(src, "rootfs/manifest"), "not the image manifest");
  tar = join(work.path, "image.tar");
  // `./manifest`: names are cleaned before comparing.
  run(["tar", "-C", src, "-cf", tar, "./manifest", "./rootfs"]);
  for (const [tool, ext] of [["gzip", "gz"], ["bzip2", "bz2"], ["xz", "xz"]]) {
    writeFileSync(`${tar}.${ext}`, Bun.spawnSync([tool!, "-c", tar]).stdout);
  }
  tmp = join(work.path, "tmp");
  mkdirSync(tmp);
});
afterAll(() => work.cleanup());

function tmpFiles(): string[] {
  return readdirSync(tmp);
}

describe("importAci", () => {
  const formats = [["", "plain tar"], [".gz", "gzip"], [".bz2", "bzip2"], [".xz", "xz"]] as const;
  for (const [ext, format] of formats) {
    test(`${format}: the file kept as it is, the digest of the uncompressed tar and the manifest bytes`, () => {
      const imported = native.importAci(tar + ext, tmp);
      try {
        expect(imported.sha512).toBe(sha512sum(tar)!);
        expect(imported.sha512).toMatch(/^[0-9a-f]{128}$/);
        expect(readFileSync(imported.blobPath).equals(readFileSync(tar + ext))).toBe(true);
        expect(new TextDecoder().decode(imported.manifest!)).toBe(manifest);
      } finally {
        rmSync(imported.blobPath);
      }
    });

    test(`${format}: readBlob gives the digest of the uncompressed tar, and the tar itself`, () => {
      const out = join(work.path, `export-${format}`);
      try {
        expect(native.readBlob(tar + ext)).toBe(sha512sum(tar)!);
        expect(native.readBlob(tar + ext, out)).toBe(sha512sum(tar)!);
        expect(readFileSync(out).equals(readFileSync(tar))).toBe(true);
      } finally {
        rmSync(out, { force: true });
      }
    });
  }

  test("takeSource: the source itself becomes the blob, nothing is copied; a failed import leaves it", () => {
    const source = join(work.path, "scratch.aci");
    writeFileSync(source, readFileSync(`${tar}.gz`));
    const imported = native.importAci(source, tmp, { takeSource: true });
    expect(imported.blobPath).toBe(source);
    expect(imported.sha512).toBe(sha512sum(tar)!);
    expect(tmpFiles()).toEqual([]);
    writeFileSync(source, "just text\n".repeat(100));
    expect(() => native.importAci(source, tmp, { takeSource: true })).toThrow(`import ${source}: unknown image filetype`);
    expect(readFileSync(source, "utf8")).toBe("just text\n".repeat(100));
    rmSync(source);
  });

  test("with a render directory, the rootfs is extracted in the same pass, as extractRootfs does", () => {
    const rendered = join(work.path, "rendered");
    const extracted = join(work.path, "extracted");
    mkdirSync(rendered);
    mkdirSync(extracted);
    try {
      const imported = native.importAci(`${tar}.gz`, tmp, { renderDir: rendered });
      rmSync(imported.blobPath);
      native.extractRootfs(tar, extracted, { skipExisting: true });
      expect(readFileSync(join(rendered, "etc/data")).equals(readFileSync(join(extracted, "etc/data")))).toBe(true);
      expect(readdirSync(rendered).sort()).toEqual(["etc", "manifest"]);
      expect(native.treeHash(rendered)).toBe(native.treeHash(extracted));
    } finally {
      rmSync(rendered, { recursive: true, force: true });
      rmSync(extracted, { recursive: true, force: true });
    }
  });

  test("not run as root, the import claims no tree hash: owners it could not set are left to the walk", () => {
    const asNobody = tempDir("rkt-native-import-nobody-");
    try {
      const rendered = join(asNobody.path, "rendered");
      const source = join(asNobody.path, "image.tar.gz");
      mkdirSync(rendered);
      writeFileSync(source, readFileSync(`${tar}.gz`));
      Bun.spawnSync(["chown", "-R", "65534:65534", asNobody.path]);
      const script = `const { native } = await import(${JSON.stringify(join(repoRoot, "src/sys"))});
        const imported = native.importAci(${JSON.stringify(source)}, ${JSON.stringify(asNobody.path)}, { renderDir: ${JSON.stringify(rendered)} });
        console.log(JSON.stringify({ treeHash: imported.treeHash ?? null, rendered: native.treeHash(${JSON.stringify(rendered)}) }));`;
      const proc = Bun.spawnSync(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", script], { cwd: asNobody.path, stderr: "pipe" });
      expect(proc.stderr.toString()).toBe("");
      const result = JSON.parse(proc.stdout.toString());
      expect(result.treeHash).toBeNull();
      expect(result.rendered).toMatch(/^v2:sha512-/);
    } finally {
      asNobody.cleanup();
    }
  });

  test("concatenated gzip members are read as one stream, like gzip -d", () => {
    const path = join(work.path, "multi.gz");
    const half = Math.floor(readFileSync(tar).length / 2);
    writeFileSync(join(work.path, "a"), readFileSync(tar).subarray(0, half));
    writeFileSync(join(work.path, "b"), readFileSync(tar).subarray(half));
    writeFileSync(path, Buffer.concat([Bun.gzipSync(readFileSync(join(work.path, "a"))), Bun.gzipSync(readFileSync(join(work.path, "b")))]));
    const imported = native.importAci(path, tmp);
    rmSync(imported.blobPath);
    expect(imported.sha512).toBe(sha512sum(tar)!);
  });

  test("an archive without a manifest gives null", () => {
    const path = join(work.path, "nomanifest.tar");
    writeFileSync(path, tarArchive([{ name: "rootfs", type: "5" }, { name: "rootfs/x", data: "x" }]));
    const imported = native.importAci(path, tmp);
    rmSync(imported.blobPath);
    expect(imported.manifest).toBeNull();
    expect(imported.sha512).toBe(sha512sum(path)!);
  });

  test("an unknown file type is refused", () => {
    const path = join(work.path, "text");
    writeFileSync(path, "just text\n".repeat(100));
    expect(() => native.importAci(path, tmp)).toThrow(`import ${path}: unknown image filetype`);
    expect(tmpFiles()).toEqual([]);
  });

  test("a missing source names the file", () => {
    expect(() => native.importAci(join(work.path, "absent.aci"), tmp)).toThrow(/open .*absent\.aci: No such file or directory/);
  });

  for (const ext of [".gz", ".bz2", ".xz"]) {
    test(`a truncated ${ext} file fails and leaves no temp file`, () => {
      const path = join(work.path, `truncated${ext}`);
      const whole = readFileSync(tar + ext);
      writeFileSync(path, whole.subarray(0, Math.floor(whole.length * 0.6)));
      expect(() => native.importAci(path, tmp)).toThrow(/truncated/);
      expect(tmpFiles()).toEqual([]);
    });

    test(`a corrupt ${ext} file fails and leaves no temp file`, () => {
      const path = join(work.path, `corrupt${ext}`);
      const data = Buffer.from(readFileSync(tar + ext));
      for (let i = 200; i < 400; i++) data[i] = data[i]! ^ 0x5a;
      writeFileSync(path, data);
      expect(() => native.importAci(path, tmp)).toThrow(/corrupt/);
      expect(tmpFiles()).toEqual([]);
    });
  }

  test("an xz file whose header asks for a dictionary above the memory limit is refused, naming the need", () => {
    const path = join(work.path, "huge-dictionary.xz");
    // Size byte 40: a 4 GiB dictionary, which a decoder without a limit would allocate.
    writeFileSync(path, withXzDictionarySize(readFileSync(`${tar}.xz`), 40));
    expect(() => native.importAci(path, tmp)).toThrow(/xz data needs 4\d{3} MiB of memory to decompress, above the limit of 512 MiB/);
    expect(tmpFiles()).toEqual([]);
  });

  test("a plain tar cut in the middle of an entry fails and leaves no temp file", () => {
    const path = join(work.path, "cut.tar");
    writeFileSync(path, readFileSync(tar).subarray(0, 4096 + 100));
    expect(() => native.importAci(path, tmp)).toThrow(/truncated archive/);
    expect(tmpFiles()).toEqual([]);
  });

  test("a tar header with a bad checksum fails", () => {
    const path = join(work.path, "badsum.tar");
    const data = Buffer.from(readFileSync(tar));
    data[0] = data[0]! ^ 1;
    writeFileSync(path, data);
    expect(() => native.importAci(path, tmp)).toThrow(/corrupt tar header \(bad checksum\)/);
    expect(tmpFiles()).toEqual([]);
  });
});

/** The xz file with the dictionary-size byte of its first block's LZMA2 filter replaced (header CRC32 redone). */
function withXzDictionarySize(xz: Buffer, sizeByte: number): Buffer {
  const out = Buffer.from(xz);
  const block = 12; // the stream header's length
  const headerSize = (out[block]! + 1) * 4;
  const flags = out[block + 1]!;
  let pos = block + 2;
  const skipVarInt = () => {
    while (out[pos++]! & 0x80);
  };
  if (flags & 0x40) skipVarInt(); // compressed size
  if (flags & 0x80) skipVarInt(); // uncompressed size
  if ((flags & 3) !== 0 || out[pos] !== 0x21 || out[pos + 1] !== 1) throw new Error("expected one LZMA2 filter with one property byte");
  out[pos + 2] = sizeByte;
  const crcAt = block + headerSize - 4;
  out.writeUInt32LE(Bun.hash.crc32(out.subarray(block, crcAt)), crcAt);
  return out;
}
