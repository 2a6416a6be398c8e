// What a command loads before its first line runs: the chunks its module imports statically
// (dynamic imports excluded) in the same split build as dist/rkt. Start-up pays for each
// chunk, builtin and Bun-built stdio stream that `rkt version` does not need.
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../support/harness";

let chunks = new Map<string, string>();

beforeAll(async () => {
  const build = await Bun.build({ entrypoints: [join(repoRoot, "src/main.ts")], target: "bun", format: "esm", splitting: true, minify: true, naming: { chunk: "[name]-[hash].[ext]" } });
  if (!build.success) throw new AggregateError(build.logs, "bun build of src/main.ts failed");
  chunks = new Map(await Promise.all(build.outputs.filter((o) => o.path.endsWith(".js")).map(async (o) => [o.path.replace(/^\.\//, ""), await o.text()] as [string, string])));
});

/** The chunk of the command module `src/cli/<name>.ts`. */
function commandChunk(name: string): string {
  const found = [...chunks.keys()].filter((path) => new RegExp(`^${name}-[a-z0-9]+\\.js$`).test(path));
  if (found.length !== 1) throw new Error(`no single chunk for ${name}: ${found.join(", ")}`);
  return found[0]!;
}

/** The chunks and builtin modules that `entries` import statically, transitively. */
function staticClosure(entries: string[]): { chunks: string[]; builtins: string[] } {
  const seen = new Set<string>();
  const builtins = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const chunk = pending.pop()!;
    if (seen.has(chunk)) continue;
    seen.add(chunk);
    for (const [, specifier] of chunks.get(chunk)!.matchAll(/(?:import|export)\s*(?:[^;"()]*?from\s*)?"([^"]+)"/g)) {
      if (specifier.startsWith("./")) pending.push(specifier.slice(2));
      else builtins.add(specifier);
    }
  }
  return { chunks: [...seen], builtins: [...builtins] };
}

describe("start-up of the executable", () => {
  test("rkt version loads neither bun:ffi nor bun:sqlite, nor appc, nor Node's stdio streams", () => {
    const loaded = staticClosure(["main.js", commandChunk("version")]);
    expect(loaded.builtins).not.toContain("bun:ffi");
    expect(loaded.builtins).not.toContain("bun:sqlite");
    expect(loaded.builtins).not.toContain("fs/promises");
    expect(loaded.builtins).not.toContain("fs");
    const text = loaded.chunks.map((c) => chunks.get(c)!).join("\n");
    expect(text).not.toContain("ManifestError");
    expect(text).not.toMatch(/process\.std(out|err)/);
  });

  test("rkt list loads neither bun:sqlite nor the store, prepare or run code: only what reads pod directories", () => {
    const loaded = staticClosure(["main.js", commandChunk("list")]);
    expect(loaded.builtins).not.toContain("bun:sqlite");
    expect(loaded.builtins).not.toContain("fs/promises");
    const text = loaded.chunks.map((c) => chunks.get(c)!).join("\n");
    expect(text).not.toContain("ManifestError");
  });

  test("rkt help loads no command module: the command tree holds every description", () => {
    const cli = join(repoRoot, "src/cli");
    const commandModules = readdirSync(cli)
      .filter((file) => readFileSync(join(cli, file), "utf8").includes("rktCommand({"))
      .map((file) => file.replace(/\.ts$/, ""));
    expect(commandModules).toContain("version");
    const loaded = staticClosure(["main.js"]).chunks.map((chunk) => chunk.replace(/-[a-z0-9]+\.js$/, ""));
    expect(loaded.filter((name) => commandModules.includes(name))).toEqual([]);
  });

  test("rkt list, status and prepare print without Node's stdio streams", () => {
    for (const name of ["list", "status", "prepare"]) expect(chunks.get(commandChunk(name))!).not.toMatch(/process\.std(out|err)/);
  });

  test("rkt run and run-prepared do not load node:tty, which only a download's progress bar needs", () => {
    for (const name of ["run", "run-prepared"]) expect(staticClosure([commandChunk(name)]).builtins).not.toContain("tty");
  });

  test("rkt run and prepare load bun:sqlite only when they open the store's index, which a start from rendered images does not", () => {
    for (const name of ["run", "prepare"]) expect(staticClosure([commandChunk(name)]).builtins).not.toContain("bun:sqlite");
  });

  test("rkt run and prepare load no signature, keystore, download or credentials code until an image is not in the store", () => {
    for (const name of ["run", "prepare"]) {
      const text = staticClosure([commandChunk(name)]).chunks.map((c) => chunks.get(c)!).join("\n");
      expect(text).not.toContain("signature made by unknown entity");
      expect(text).not.toContain("no valid signatures found in signature file");
      expect(text).not.toContain("found image in local store, skipping fetching from URL");
      expect(text).not.toContain("Downloading signature from");
    }
  });
});
