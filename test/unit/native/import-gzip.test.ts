// importAci's gzip decoder against `gzip -d`: the framing cases a decoder may get wrong
// (members ending inside a read, headers with optional fields, stored blocks, trailers).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { native } from "../../../src/sys";
import { tempDir } from "../../support/harness";
import { run } from "./fixtures";
import { tarArchive } from "./tar-builder";

let work: { path: string; cleanup: () => void };
let tar: Uint8Array<ArrayBuffer>;
let tmp: string;

beforeAll(() => {
  work = tempDir("rkt-native-gzip-");
  tmp = join(work.path, "tmp");
  mkdirSync(tmp);
  // Text and incompressible bytes, so that members end at odd offsets of the input.
  const random = Buffer.alloc(3 << 20);
  for (let i = 0, x = 2463534242; i < random.length; i++) {
    x ^= x << 13, x ^= x >>> 17, x ^= x << 5;
    random[i] = x & 0xff;
  }
  tar = new Uint8Array(tarArchive([
    { name: "manifest", data: '{"acKind":"ImageManifest","acVersion":"0.6.1","name":"example.com/gzip"}' },
    { name: "rootfs", type: "5" },
    { name: "rootfs/text", data: "a line of text that repeats\n".repeat(100_000) },
    { name: "rootfs/random", data: random },
  ]));
});
afterAll(() => work.cleanup());

const sha512 = (data: Uint8Array) => new Bun.CryptoHasher("sha512").update(data).digest("hex");

/** Imports `gz` and returns the digest of what came out, leaving nothing behind. */
function importedDigest(name: string, gz: Uint8Array): string {
  const path = join(work.path, name);
  writeFileSync(path, gz);
  const imported = native.importAci(path, tmp);
  rmSync(imported.blobPath);
  return imported.sha512;
}

function expectRefused(name: string, gz: Uint8Array, reason: RegExp): void {
  const path = join(work.path, name);
  writeFileSync(path, gz);
  expect(() => native.importAci(path, tmp)).toThrow(reason);
  expect(readdirSync(tmp)).toEqual([]);
}

/** Splits `data` at the given offsets into consecutive pieces. */
function split(data: Uint8Array<ArrayBuffer>, offsets: number[]): Uint8Array<ArrayBuffer>[] {
  const bounds = [0, ...offsets, data.length];
  return bounds.slice(1).map((end, i) => data.subarray(bounds[i], end));
}

describe("importAci of gzip", () => {
  test("many members of every size, empty and one-byte ones too, read as one stream", () => {
    const pieces = split(tar, [0, 1, 2, 700, 100_000, 100_001, 1 << 20, (1 << 20) + 37, 3 << 20]);
    const gz = Buffer.concat(pieces.map((piece, i) => Bun.gzipSync(piece, { level: ((i % 9) + 1) as 1 })));
    expect(importedDigest("members.gz", gz)).toBe(sha512(tar));
    expect(run(["sh", "-c", `gzip -dc ${join(work.path, "members.gz")} | sha512sum`]).split(" ")[0]).toBe(sha512(tar));
  });

  test("stored (level 0) and best (level 9) compression", () => {
    expect(importedDigest("stored.gz", Bun.gzipSync(tar, { level: 0 }))).toBe(sha512(tar));
    expect(importedDigest("best.gz", Bun.gzipSync(tar, { level: 9 }))).toBe(sha512(tar));
  });

  test("a header with a name, a comment, an extra field and a header CRC", () => {
    expect(importedDigest("fields.gz", withHeaderFields(Bun.gzipSync(tar)))).toBe(sha512(tar));
  });

  test("zeros after the last member are ignored, as gzip -d does", () => {
    expect(importedDigest("padded.gz", Buffer.concat([Bun.gzipSync(tar), Buffer.alloc(4096)]))).toBe(sha512(tar));
  });

  test("a wrong CRC-32 in the trailer is refused as corrupt", () => {
    const gz = Buffer.from(Bun.gzipSync(tar));
    gz[gz.length - 8] = gz[gz.length - 8]! ^ 1;
    expectRefused("badcrc.gz", gz, /decompress .*badcrc\.gz: corrupt gzip data/);
  });

  test("a wrong length in the trailer is refused as corrupt", () => {
    const gz = Buffer.from(Bun.gzipSync(tar));
    gz[gz.length - 4] = gz[gz.length - 4]! ^ 1;
    expectRefused("badlength.gz", gz, /decompress .*badlength\.gz: corrupt gzip data/);
  });

  test("a file cut inside the trailer is refused as truncated", () => {
    const gz = Bun.gzipSync(tar);
    expectRefused("cut-trailer.gz", gz.subarray(0, gz.length - 3), /decompress .*cut-trailer\.gz: truncated gzip data/);
  });

  test("a compression method other than deflate is refused", () => {
    const gz = Buffer.from(Bun.gzipSync(tar));
    gz[2] = 7;
    expectRefused("method.gz", gz, /decompress .*method\.gz: corrupt gzip data/);
  });
});

/** The gzip member with FNAME, FCOMMENT, FEXTRA and FHCRC set in its header (RFC 1952 2.3). */
function withHeaderFields(gz: Uint8Array): Buffer {
  const FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;
  const header = Buffer.from(gz.subarray(0, 10));
  header[3] = FHCRC | FEXTRA | FNAME | FCOMMENT;
  const extra = Buffer.from("RK\x04\x00data", "latin1");
  const fields = Buffer.concat([header, Buffer.from([extra.length, 0]), extra, Buffer.from("image.tar\0comment\0")]);
  const crc16 = Buffer.alloc(2);
  crc16.writeUInt16LE(Bun.hash.crc32(fields) & 0xffff);
  return Buffer.concat([fields, crc16, gz.subarray(10)]);
}
