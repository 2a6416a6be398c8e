// The native squash of docker layers (native/docker_squash.c), through the import that
// writes its blob and renders its tree: layers made with the system tar, and hostile ones
// written byte by byte.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { openTarStream, readTar, type TarHeader } from "../../../src/appc";
import { importDockerLayerFiles } from "../../../src/store/docker-layers-import";
import { tempDir } from "../../support/harness";
import { tarArchive, type TarEntrySpec } from "../native/tar-builder";

const work = tempDir("rkt-squash-");
afterAll(work.cleanup);
let made = 0;

/** A fresh directory under the test's work directory. */
function freshDir(name: string): string {
  const dir = join(work.path, `${name}-${made++}`);
  mkdirSync(dir);
  return dir;
}

/** One layer tar from `files` (path -> content; a trailing `/` makes a directory), made with the system tar. */
function layer(files: Record<string, string>, opts: { gzip?: boolean; mode?: Record<string, number> } = {}): string {
  const tree = freshDir("tree");
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith("/")) mkdirSync(join(tree, path), { recursive: true, mode: opts.mode?.[path] ?? 0o755 });
    else {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), content);
    }
  }
  const out = `${tree}.${opts.gzip ? "tar.gz" : "tar"}`;
  const result = Bun.spawnSync(["tar", "-C", tree, opts.gzip ? "-czf" : "-cf", out, "."]);
  if (result.exitCode !== 0) throw new Error(String(result.stderr));
  return out;
}

/** A layer written entry by entry (names no tar would write), gzip-compressed. */
function craftedLayer(entries: TarEntrySpec[]): string {
  const path = join(freshDir("crafted"), "layer.tar.gz");
  writeFileSync(path, Bun.gzipSync(new Uint8Array(tarArchive(entries))));
  return path;
}

interface Squashed {
  sha512: string;
  blob: string;
  rootfs: string;
  entries: Map<string, { header: TarHeader; content: string }>;
}

async function squash(layers: string[], mtime = 0): Promise<Squashed> {
  const dir = freshDir("import");
  const rootfs = join(dir, "rootfs");
  mkdirSync(rootfs);
  const imported = await importDockerLayerFiles(layers, "{}", mtime, "test image", dir, rootfs);
  const entries = new Map<string, { header: TarHeader; content: string }>();
  for await (const entry of readTar((await openTarStream(imported.blobPath)).stream)) {
    const { name } = entry.header;
    expect(entries.has(name)).toBe(false);
    if (name.startsWith("rootfs/")) expect(entries.has(dirname(name))).toBe(true);
    entries.set(name, { header: entry.header, content: new TextDecoder().decode(await entry.bytes()) });
  }
  return { sha512: imported.sha512, blob: imported.blobPath, rootfs, entries };
}

describe("native squash", () => {
  test("the same layers and time give the same bytes: the blob hashes to the returned ID; the time dates manifest and rootfs", async () => {
    const layers = [layer({ "a/b": "x" }, { gzip: true }), layer({ "a/c": "y" })];
    const [one, two] = [await squash(layers, 1767323045), await squash(layers, 1767323045)];
    expect(one.sha512).toBe(two.sha512);
    expect(readFileSync(one.blob).equals(readFileSync(two.blob))).toBe(true);
    expect(new Bun.CryptoHasher("sha512").update(readFileSync(one.blob)).digest("hex")).toBe(one.sha512);
    expect([one.entries.get("manifest")?.header.mtime, one.entries.get("rootfs")?.header.mtime]).toEqual([1767323045, 1767323045]);
    expect(one.entries.get("manifest")?.content).toBe("{}");
    expect((await squash(layers, 1767323046)).sha512).not.toBe(one.sha512);
  });

  test("writes the manifest, then rootfs, each parent before its children and each path once; upper files win", async () => {
    const s = await squash([layer({ "a/b/c": "low", "a/d": "x" }, { gzip: true }), layer({ "a/b/c": "high", "a/e": "y" })]);
    expect([...s.entries.keys()].slice(0, 2)).toEqual(["manifest", "rootfs"]);
    expect(s.entries.get("rootfs/a/b/c")?.content).toBe("high");
    expect(s.entries.get("rootfs/a/d")?.content).toBe("x");
    expect(s.entries.get("rootfs/a/e")?.content).toBe("y");
    expect(readFileSync(join(s.rootfs, "a/b/c"), "utf8")).toBe("high");
    expect(readFileSync(join(s.rootfs, "a/d"), "utf8")).toBe("x");
  });

  test("a directory in several layers carries the highest layer's metadata", async () => {
    const s = await squash([layer({ "dir/": "", "dir/f": "1" }), layer({ "dir/": "", "dir/g": "2" }, { mode: { "dir/": 0o700 } })]);
    expect(s.entries.get("rootfs/dir")?.header.mode).toBe(0o700);
    expect(statSync(join(s.rootfs, "dir")).mode & 0o7777).toBe(0o700);
    expect(readdirSync(join(s.rootfs, "dir")).sort()).toEqual(["f", "g"]);
  });

  test("a whited-out directory loses its lower contents, and comes back empty if an upper layer re-creates it", async () => {
    const s = await squash([layer({ "d/old": "1", "e/old": "2" }), layer({ ".wh.d": "", ".wh.e": "" }), layer({ "e/new": "3" })]);
    expect([...s.entries.keys()].filter((name) => name.startsWith("rootfs/d"))).toEqual([]);
    expect(existsSync(join(s.rootfs, "d"))).toBe(false);
    expect(readdirSync(join(s.rootfs, "e"))).toEqual(["new"]);
  });

  test("an opaque directory hides only the layers below it; no marker is kept", async () => {
    const s = await squash([layer({ "o/low": "1" }), layer({ "o/.wh..wh..opq": "", "o/mid": "2" }), layer({ "o/top": "3" })]);
    expect(readdirSync(join(s.rootfs, "o")).sort()).toEqual(["mid", "top"]);
    expect([...s.entries.keys()].some((name) => name.includes(".wh."))).toBe(false);
  });

  test("a file replacing a directory hides everything that was under it", async () => {
    const s = await squash([layer({ "x/inner": "1" }), layer({ x: "now a file" })]);
    expect(s.entries.get("rootfs/x")).toMatchObject({ header: { type: "file" }, content: "now a file" });
    expect(readFileSync(join(s.rootfs, "x"), "utf8")).toBe("now a file");
  });

  test("a directory replaced by a file and made again by a higher layer does not bring the lower contents back", async () => {
    const s = await squash([layer({ "d/deleted": "1" }), layer({ d: "a file" }), layer({ "d/new": "2" })]);
    expect([...s.entries.keys()].filter((name) => name.startsWith("rootfs/d/"))).toEqual(["rootfs/d/new"]);
    expect(readdirSync(join(s.rootfs, "d"))).toEqual(["new"]);
  });

  test("hardlinks point into rootfs/ and render as one inode", async () => {
    const tree = freshDir("linked");
    writeFileSync(join(tree, "one"), "same");
    linkSync(join(tree, "one"), join(tree, "two"));
    const out = `${tree}.tar`;
    Bun.spawnSync(["tar", "-C", tree, "-cf", out, "."]);
    const s = await squash([out]);
    const [link, target] = s.entries.get("rootfs/two")?.header.type === "hardlink" ? ["rootfs/two", "rootfs/one"] : ["rootfs/one", "rootfs/two"];
    expect(s.entries.get(link)?.header).toMatchObject({ type: "hardlink", linkname: target });
    expect(statSync(join(s.rootfs, "one")).ino).toBe(statSync(join(s.rootfs, "two")).ino);
  });

  test("hardlinks keep their file when a higher layer replaces or deletes the name they link to", async () => {
    const linked: TarEntrySpec[] = [{ name: "a", data: "old", mode: 0o750 }, { name: "b", type: "1", linkname: "a" }, { name: "c", type: "1", linkname: "a" }];
    const uppers: [TarEntrySpec[], string | undefined][] = [[[{ name: "a", data: "new" }], "new"], [[{ name: ".wh.a" }], undefined]];
    for (const [upper, a] of uppers) {
      const s = await squash([craftedLayer(linked), craftedLayer(upper)]);
      expect(s.entries.get("rootfs/b")).toMatchObject({ header: { type: "file", mode: 0o750 }, content: "old" });
      expect(s.entries.get("rootfs/c")?.header).toMatchObject({ type: "hardlink", linkname: "rootfs/b" });
      expect(readFileSync(join(s.rootfs, "b"), "utf8")).toBe("old");
      expect(statSync(join(s.rootfs, "c")).ino).toBe(statSync(join(s.rootfs, "b")).ino);
      expect(existsSync(join(s.rootfs, "a")) ? readFileSync(join(s.rootfs, "a"), "utf8") : undefined).toBe(a);
    }
  });

  test("long names, xattrs and sub-second times travel in PAX records", async () => {
    const dir = "d".repeat(120);
    const long = `${dir}/${"f".repeat(120)}`;
    const s = await squash([craftedLayer([{ name: dir, type: "5", pax: { path: dir } }, { name: long, data: "deep", pax: { path: long, mtime: "1700000000.5", "SCHILY.xattr.user.k": "v" } }])]);
    expect(s.entries.get(`rootfs/${long}`)?.header).toMatchObject({ mtime: 1700000000.5, xattrs: { "user.k": new TextEncoder().encode("v") } });
    expect(readFileSync(join(s.rootfs, long), "utf8")).toBe("deep");
  });
});

describe("hostile layers are refused with one line, nothing written outside the tree", () => {
  const refusals: Record<string, [TarEntrySpec[][], RegExp]> = {
    "a whiteout escaping the root": [[[{ name: "keep", data: "1" }], [{ name: "../.wh.keep" }]], /^squash layer \S+: entry "\.\.\/\.wh\.keep" points outside the image root$/],
    "an entry escaping the root": [[[{ name: "a/../../escaped", data: "x" }]], /^squash layer \S+: entry "a\/\.\.\/\.\.\/escaped" points outside the image root$/],
    "a hardlink to outside": [[[{ name: "link", type: "1", linkname: "../../etc/passwd" }]], /^squash layer \S+: entry "\.\.\/\.\.\/etc\/passwd" points outside the image root$/],
    "a whiteout of nothing": [[[{ name: "a", data: "1" }], [{ name: "dir/.wh." }]], /^squash layer \S+: malformed whiteout "dir\/\.wh\."$/],
    "a name longer than a path": [[[{ name: "x", data: "1", pax: { path: "n/".repeat(3000) } }]], /^squash layer \S+: entry name too long: "(n\/)+/],
    "a sparse file": [[[{ name: "s", type: "S", data: "" }]], /^squash layer \S+: unsupported tar entry type 'S' for "s"$/],
    "hardlinks past the bound to files that higher layers removed": [
      [Array.from({ length: 257 }, (_, i): TarEntrySpec[] => [{ name: `f${i}`, data: "x" }, { name: `l${i}`, type: "1", linkname: `f${i}` }]).flat(), Array.from({ length: 257 }, (_, i) => ({ name: `.wh.f${i}` }))],
      /^squash layer \S+: more than 256 hardlinks to files that higher layers removed; flatten the image$/,
    ],
    "a symlinked parent": [[[{ name: "up", type: "2", linkname: "../../.." }], [{ name: "up/planted", data: "x" }]], /^extract \S+\/rootfs\/up\/planted: a parent path is a symlink or not a directory$/],
  };
  for (const [name, [layers, message]] of Object.entries(refusals)) {
    test(name, async () => {
      const dir = freshDir("hostile");
      const rootfs = join(dir, "rootfs");
      mkdirSync(rootfs);
      const paths = layers.map((entries) => craftedLayer(entries));
      await expect(importDockerLayerFiles(paths, "{}", 0, "test image", dir, rootfs)).rejects.toThrow(message);
      expect(readdirSync(dir)).toEqual(["rootfs"]);
      expect(existsSync(join(work.path, "escaped")) || existsSync(join(work.path, "planted"))).toBe(false);
    });
  }

  test("a truncated gzip layer", async () => {
    const dir = freshDir("truncated");
    const whole = readFileSync(craftedLayer([{ name: "big", data: "y".repeat(100_000) }]));
    const path = join(dir, "layer.gz");
    writeFileSync(path, whole.subarray(0, whole.length - 20));
    await expect(importDockerLayerFiles([path], "{}", 0, "test image", dir, undefined)).rejects.toThrow(/^\S+ \S+layer\.gz: .*(truncated|unexpected end)/);
    expect(readdirSync(dir)).toEqual(["layer.gz"]);
    expect(lstatSync(dir).isDirectory()).toBe(true);
  });
});
