// `rkt list` of a thousand pods is held to twice `rkt version` (bench/start.ts): loading
// node:fs alone costs it some 3 ms, so nothing its command imports, but for what it imports
// only on demand (the JSON output, pods without a list summary), may import node:fs.
import { expect, test } from "bun:test";
import { join, relative } from "node:path";
import { repoRoot, tempDir } from "../../support/harness";

/** The modules `entry` loads before it runs, by the bundler's metafile: static imports only. */
async function staticImports(entry: string): Promise<Set<string>> {
  const out = tempDir("rkt-list-imports-");
  try {
    const result = await Bun.build({ entrypoints: [join(repoRoot, entry)], target: "bun", metafile: true, outdir: out.path });
    expect(result.success).toBe(true);
    const inputs = result.metafile!.inputs;
    const seen = new Set<string>();
    const visit = (path: string): void => {
      if (seen.has(path)) return;
      seen.add(path);
      for (const imported of inputs[path]?.imports ?? []) if (imported.kind === "import-statement") visit(imported.path);
    };
    visit(relative(process.cwd(), join(repoRoot, entry)));
    return seen;
  } finally {
    out.cleanup();
  }
}

test("rkt list loads no node:fs", async () => {
  const loaded = await staticImports("src/cli/list.ts");
  expect(loaded).toContain("src/sys/list-library.ts");
  expect([...loaded].filter((path) => path === "node:fs" || path === "fs")).toEqual([]);
});
