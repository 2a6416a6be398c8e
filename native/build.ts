// Compiles native/*.c into the shared library that src/sys/native.ts embeds and loads.
import { readdirSync } from "node:fs";
import { join } from "node:path";

const sourceDir = import.meta.dir;

export async function buildNativeLibrary(workDir: string): Promise<void> {
  const sources = readdirSync(sourceDir)
    .filter((name) => name.endsWith(".c"))
    .sort()
    .map((name) => join(sourceDir, name));
  const output = join(workDir, "librktnative.so");
  const compiler = Bun.which("cc") ?? Bun.which("gcc");
  if (!compiler) throw new Error("native library: no C compiler (cc or gcc) on PATH; run test/setup-host.sh");
  const proc = Bun.spawnSync(
    [
      compiler, "-O2", "-fPIC", "-shared", "-std=gnu11", "-Wall", "-Wextra", "-pthread",
      "-fvisibility=hidden", "-o", output, ...sources, "-lz", "-lbz2", "-llzma",
    ],
    { stdout: "inherit", stderr: "inherit" },
  );
  if (proc.exitCode !== 0) throw new Error(`native library: ${compiler} failed (exit ${proc.exitCode})`);
}
