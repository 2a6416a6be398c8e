// The TypeScript reader (actool, docker archives) and the native one (import) must accept and
// refuse the same hostile archives: a disagreement between two tar parsers is a security bug.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { validateAciArchive } from "../../../src/appc";
import { native } from "../../../src/sys";
import { tempDir } from "../../support/harness";
import { tarArchive, type TarEntrySpec } from "../native/tar-builder";

const work = tempDir("rkt-reader-agreement-");
afterAll(work.cleanup);

const manifest = '{"acKind":"ImageManifest","acVersion":"0.6.1","name":"example.com/test"}';
const layout: TarEntrySpec[] = [{ name: "manifest", data: manifest }, { name: "rootfs/", type: "5" }];

/**
 * A valid ACI, xz-compressed, whose block header asks for a 1 GiB dictionary: above the
 * native reader's 512 MiB decoder memory cap (native/decompress.c).
 */
function xzOverMemoryCap(): Buffer {
  const xz = Buffer.from(Bun.spawnSync(["xz", "-T1", "-c"], { stdin: tarArchive(layout) }).stdout);
  const header = 12; // the stream header; then the block header: size, flags, filter 0x21, 1, dict
  if (xz[header + 1] !== 0 || xz[header + 2] !== 0x21) throw new Error("unexpected xz block header");
  const size = (xz[header]! + 1) * 4;
  xz[header + 4] = 36; // dictionary (2 | 36 & 1) << (36 / 2 + 11) = 1 GiB
  xz.writeUInt32LE(Bun.hash.crc32(xz.subarray(header, header + size - 4)), header + size - 4);
  return xz;
}

/** Each archive and whether a reader should accept it. */
const hostile: Record<string, [Buffer, boolean]> = {
  "PAX path override out of the layout": [tarArchive([...layout, { name: "rootfs/ok", data: "x", pax: { path: "etc/passwd" } }]), false],
  "PAX path override onto the manifest": [tarArchive([{ name: "rootfs/", type: "5" }, { name: "rootfs/m", data: manifest, pax: { path: "manifest" } }]), true],
  "GNU long name out of the layout": [tarArchive([...layout, { name: "././@LongLink", type: "L", data: `${"a/".repeat(80)}x\0` }, { name: "rootfs/short", data: "x" }]), false],
  "a name with ..": [tarArchive([...layout, { name: "rootfs/../../etc/passwd", data: "x" }]), false],
  "an absolute name": [tarArchive([...layout, { name: "/etc/passwd", data: "x" }]), false],
  "an xz stream over the memory cap": [xzOverMemoryCap(), false],
  "a truncated archive": [tarArchive([...layout, { name: "rootfs/big", data: "y".repeat(4096) }]).subarray(0, 2048), false],
};

/** Accepted or refused, per reader; the messages differ, the verdict must not. */
async function verdicts(path: string): Promise<{ typescript: boolean; native: boolean }> {
  const typescript = await validateAciArchive(path).then(() => true, () => false);
  let nativeOk = false;
  try {
    const imported = native.importAci(path, work.path);
    rmSync(imported.blobPath);
    nativeOk = imported.manifest !== null;
  } catch {
    nativeOk = false;
  }
  return { typescript, native: nativeOk };
}

describe("both ACI readers give the same verdict", () => {
  for (const [name, [bytes, accepted]] of Object.entries(hostile)) {
    test(name, async () => {
      const path = join(work.path, `${name.replace(/\W+/g, "-")}.aci`);
      writeFileSync(path, bytes);
      const v = await verdicts(path);
      expect(v.typescript).toBe(v.native);
      expect(v.typescript).toBe(accepted);
    });
  }
});
