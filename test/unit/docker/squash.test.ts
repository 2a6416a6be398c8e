// Squashing layer tars made with the system tar, read back with our tar reader.
import { afterEach, describe, expect, test } from "bun:test";
import { linkSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readTar } from "../../../src/appc";
import { squashedAci } from "../../../src/docker";
import { tempDir } from "../../support/harness";

let dirs: Array<{ cleanup: () => void }> = [];
afterEach(() => {
  for (const dir of dirs) dir.cleanup();
  dirs = [];
});

/** One layer tar from `files` (path -> content; a trailing `/` makes a directory). */
function layer(files: Record<string, string>, opts: { gzip?: boolean; mode?: Record<string, number> } = {}): string {
  const work = tempDir("rkt-squash-");
  dirs.push(work);
  const tree = join(work.path, "tree");
  mkdirSync(tree);
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith("/")) mkdirSync(join(tree, path), { recursive: true, mode: opts.mode?.[path] ?? 0o755 });
    else {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), content);
    }
  }
  const out = join(work.path, opts.gzip ? "layer.tar.gz" : "layer.tar");
  const result = Bun.spawnSync(["tar", "-C", tree, opts.gzip ? "-czf" : "-cf", out, "."]);
  if (result.exitCode !== 0) throw new Error(String(result.stderr));
  return out;
}

async function squash(layers: string[]): Promise<Map<string, { type: string; mode: number; content: string; linkname?: string }>> {
  const entries = new Map<string, { type: string; mode: number; content: string; linkname?: string }>();
  for await (const entry of readTar(squashedAci("{}", layers, 0))) {
    const { name, type, mode, linkname } = entry.header;
    expect(entries.has(name)).toBe(false);
    if (name.startsWith("rootfs/")) expect(entries.has(dirname(name))).toBe(true);
    entries.set(name, { type, mode, content: new TextDecoder().decode(await entry.bytes()), linkname });
  }
  return entries;
}

describe("squashedAci", () => {
  test("dates the entries no layer provides with the given time, not the clock: the same input gives the same bytes", async () => {
    const layers = [layer({ "a/b": "x" })];
    const entries = [];
    for await (const entry of readTar(squashedAci("{}", layers, 1767323045))) entries.push(entry.header);
    expect(entries.filter((h) => h.name === "manifest" || h.name === "rootfs").map((h) => h.mtime)).toEqual([1767323045, 1767323045]);
  });

  test("writes the manifest, then rootfs, each parent before its children and each path once", async () => {
    const entries = await squash([layer({ "a/b/c": "low", "a/d": "x" }, { gzip: true }), layer({ "a/b/c": "high", "a/e": "y" })]);
    expect([...entries.keys()].slice(0, 2)).toEqual(["manifest", "rootfs"]);
    expect(entries.get("rootfs/a/b/c")?.content).toBe("high");
    expect(entries.get("rootfs/a/d")?.content).toBe("x");
    expect(entries.get("rootfs/a/e")?.content).toBe("y");
  });

  test("a directory in several layers carries the highest layer's metadata", async () => {
    const entries = await squash([layer({ "dir/": "", "dir/f": "1" }), layer({ "dir/": "", "dir/g": "2" }, { mode: { "dir/": 0o700 } })]);
    expect(entries.get("rootfs/dir")?.mode).toBe(0o700);
    expect(entries.has("rootfs/dir/f") && entries.has("rootfs/dir/g")).toBe(true);
  });

  test("a whited-out directory loses its lower contents, and comes back empty if an upper layer re-creates it", async () => {
    const entries = await squash([layer({ "d/old": "1", "e/old": "2" }), layer({ ".wh.d": "", ".wh.e": "" }), layer({ "e/new": "3" })]);
    expect([...entries.keys()].filter((name) => name.startsWith("rootfs/d"))).toEqual([]);
    expect(entries.has("rootfs/e/old")).toBe(false);
    expect(entries.get("rootfs/e/new")?.content).toBe("3");
  });

  test("an opaque directory hides only the layers below it", async () => {
    const entries = await squash([layer({ "o/low": "1" }), layer({ "o/.wh..wh..opq": "", "o/mid": "2" }), layer({ "o/top": "3" })]);
    expect(entries.has("rootfs/o/low")).toBe(false);
    expect(entries.has("rootfs/o/mid") && entries.has("rootfs/o/top")).toBe(true);
    expect([...entries.keys()].some((name) => name.includes(".wh."))).toBe(false);
  });

  test("a file replacing a directory hides everything that was under it", async () => {
    const entries = await squash([layer({ "x/inner": "1" }), layer({ x: "now a file" })]);
    expect(entries.get("rootfs/x")).toMatchObject({ type: "file", content: "now a file" });
    expect(entries.has("rootfs/x/inner")).toBe(false);
  });

  test("hardlinks point into rootfs/", async () => {
    const work = tempDir("rkt-squash-link-");
    dirs.push(work);
    mkdirSync(join(work.path, "tree"));
    writeFileSync(join(work.path, "tree/one"), "same");
    linkSync(join(work.path, "tree/one"), join(work.path, "tree/two"));
    const out = join(work.path, "layer.tar");
    Bun.spawnSync(["tar", "-C", join(work.path, "tree"), "-cf", out, "."]);
    const entries = await squash([out]);
    const [link, target] = entries.get("rootfs/two")?.type === "hardlink" ? ["rootfs/two", "rootfs/one"] : ["rootfs/one", "rootfs/two"];
    expect(entries.get(link)).toMatchObject({ type: "hardlink", linkname: target });
  });
});
