// The version 2 tree hash computed by the import as it writes the tree must be the one a
// walk of the written tree computes (native/tree_digest.h), over varied archives: files,
// directories, symlinks, hardlinks, devices, fifos, xattrs (kept and dropped), duplicate
// names, directories replaced with their contents, setuid and odd modes.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { native } from "../../../src/sys";
import { sandbox, type Sandbox } from "./fixtures";
import { tarArchive, type TarEntrySpec } from "./tar-builder";

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

/** Imports `entries` (below `rootfs/`) with a render directory; returns the import's hash and the walk's. */
function hashes(entries: TarEntrySpec[], name: string): { imported?: string; walked: string } {
  const aci = join(box.dir, `${name}.aci`);
  const rendered = join(box.dir, `${name}-rootfs`);
  const tmp = join(box.dir, `${name}-tmp`);
  mkdirSync(rendered);
  mkdirSync(tmp);
  const all: TarEntrySpec[] = [{ name: "manifest", data: "{}" }, { name: "rootfs", type: "5" }, ...entries.map((e) => ({ ...e, name: `rootfs/${e.name}` }))];
  writeFileSync(aci, tarArchive(all));
  const imported = native.importAci(aci, tmp, { renderDir: rendered });
  return { imported: imported.treeHash, walked: native.treeHash(rendered) };
}

/** A small deterministic generator (xorshift), so a failing seed can be replayed. */
function random(seed: number): (n: number) => number {
  let s = seed || 1;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

const CAPS_V2 = Buffer.from("0000000201000000000000000000000000000000", "hex"); // vfs_cap_data v2, 20 bytes
const CAPS_V3 = Buffer.concat([Buffer.from("00000003", "hex"), Buffer.alloc(20)]); // v3: dropped

function randomArchive(seed: number): TarEntrySpec[] {
  const pick = random(seed);
  const names = ["a", "b", "c", "a/x", "a/y", "b/z", "a/x/deep", "c/q/r", "a-b", "a.b", "lnk"];
  const modes = [0o644, 0o755, 0o4755, 0o2711, 0o1777, 0o600, 0o000, 0o777];
  const xattrs: Record<string, string | Uint8Array>[] = [
    {},
    { "SCHILY.xattr.user.note": "kept" },
    { "SCHILY.xattr.user.b": "2", "SCHILY.xattr.user.a": "1" },
    { "SCHILY.xattr.trusted.overlay.opaque": "y" },
    { "SCHILY.xattr.security.capability": CAPS_V2 },
    { "SCHILY.xattr.security.capability": CAPS_V3 },
  ];
  const entries: TarEntrySpec[] = [];
  const count = 5 + pick(25);
  for (let i = 0; i < count; i++) {
    const name = names[pick(names.length)]!;
    const owner = { uid: pick(3) * 500, gid: pick(3) * 7 };
    const pax = xattrs[pick(xattrs.length)];
    const paxOf = (p: Record<string, string | Uint8Array> | undefined) => (p && Object.keys(p).length > 0 ? { pax: p } : {});
    switch (pick(8)) {
      case 0:
      case 1:
        entries.push({ name, data: `data ${seed} ${i} `.repeat(pick(400)), mode: modes[pick(modes.length)], ...owner, ...paxOf(pax) });
        break;
      case 2:
        entries.push({ name, type: "5", mode: modes[pick(modes.length)]! | 0o700, ...owner, ...paxOf(pax) });
        break;
      case 3:
        entries.push({ name, type: "2", linkname: pick(2) ? "/etc/passwd" : "../a", ...owner }); // Linux keeps no user xattrs on symlinks
        break;
      case 4: {
        const target = entries.filter((e) => (e.type ?? "0") === "0").pop();
        if (target) entries.push({ name, type: "1", linkname: `rootfs/${target.name}` });
        break;
      }
      case 5:
        entries.push({ name, type: pick(2) ? "3" : "4", devmajor: 1 + pick(8), devminor: pick(9), mode: 0o660, ...owner });
        break;
      case 6:
        entries.push({ name, type: "6", mode: modes[pick(modes.length)], ...owner });
        break;
      default:
        // a directory whose contents replace it come next: a file at its name
        entries.push({ name, type: "5", ...owner }, { name: `${name}/inner`, data: "inner" }, { name, data: "replaced" });
    }
  }
  return entries;
}

describe("version 2 tree hash: computed while extracting = computed by a walk", () => {
  test("over 200 generated archives", () => {
    let compared = 0;
    for (let seed = 1; seed <= 200; seed++) {
      let result: ReturnType<typeof hashes>;
      try {
        result = hashes(randomArchive(seed), `seed${seed}`);
      } catch (err) {
        // An archive the extractor refuses (a parent that is not a directory, a link to a name
        // that became a directory or is gone) has no tree to compare.
        expect(String(err)).toMatch(/not a directory|^SysError: link /);
        continue;
      }
      expect({ seed, hash: result.imported }).toEqual({ seed, hash: result.walked });
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });

  test("hardlinks, replaced directories, implicit parents and duplicate xattrs", () => {
    const { imported, walked } = hashes(
      [
        { name: "d", type: "5", mode: 0o750, uid: 3, gid: 4 },
        { name: "d/file", data: "one", mode: 0o4755 },
        { name: "d/again", type: "1", linkname: "rootfs/d/file" },
        { name: "e/f/g", data: "implicit parents" },
        { name: "old", type: "5", pax: { "SCHILY.xattr.user.gone": "1" } },
        { name: "old/child", data: "removed with old" },
        { name: "old", type: "5", mode: 0o711 },
        { name: "dup", data: "first" },
        { name: "dup", data: "second", mode: 0o600, pax: { "SCHILY.xattr.user.x": "v" } },
        { name: "d/file", data: "replaced after the link" },
        { name: "null", type: "3", devmajor: 1, devminor: 3 },
        { name: "fifo", type: "6" },
        { name: "sym", type: "2", linkname: "d/file" },
      ],
      "fixed",
    );
    expect(imported).toMatch(/^v2:sha512-[0-9a-f]{128}$/);
    expect(imported).toBe(walked);
  });

  test("differs when the tree differs: content, mode, owner, xattr", () => {
    const base: TarEntrySpec[] = [{ name: "f", data: "x", mode: 0o644, uid: 1, gid: 1 }];
    const variants: TarEntrySpec[][] = [
      [{ name: "f", data: "y", mode: 0o644, uid: 1, gid: 1 }],
      [{ name: "f", data: "x", mode: 0o4644, uid: 1, gid: 1 }],
      [{ name: "f", data: "x", mode: 0o644, uid: 2, gid: 1 }],
      [{ name: "f", data: "x", mode: 0o644, uid: 1, gid: 1, pax: { "SCHILY.xattr.user.k": "v" } }],
    ];
    const first = hashes(base, "base").imported;
    const others = variants.map((v, i) => hashes(v, `variant${i}`).imported);
    expect(new Set([first, ...others]).size).toBe(1 + variants.length);
  });
});
