// Builds everything into dist/: the native library and the stage1 image (embedded
// assets), the demo image dist/hello.aci, the sample systemd units dist/init/systemd/,
// and the single executable dist/rkt.
import { cpSync, mkdirSync } from "node:fs";
import { buildNativeLibrary } from "./native/build";
import { buildHelloImage, buildStage1Image } from "./stage1/build";

const dist = "dist";
const work = `${dist}/build`;
mkdirSync(work, { recursive: true });

function step(name: string) {
  process.stderr.write(`build: ${name}\n`);
}

step("native library");
await buildNativeLibrary(work);
step("stage1 image");
await buildStage1Image(work);
step("demo image");
await buildHelloImage(dist);
step("systemd units");
cpSync("src/init/systemd", `${dist}/init/systemd`, { recursive: true });

step("rkt executable");
// --bytecode (which needs the ESM format for main.ts's top-level await) halves start-up:
// `rkt version` 20 -> 10 ms, `rkt run` of a cached image about 35 ms less (bench/start.ts).
// --splitting keeps each lazily imported command (and what only it uses, e.g. openpgp with
// node:crypto) in its own chunk: one bundle hoists every module's builtin imports, so
// every command paid for loading them at start-up.
const compile = Bun.spawnSync(
  [process.execPath, "build", "--compile", "--minify", "--bytecode", "--format=esm", "--splitting", "--sourcemap=none", "src/main.ts", "--outfile", `${dist}/rkt`],
  { stdout: "inherit", stderr: "inherit" },
);
if (compile.exitCode !== 0) throw new Error("bun build --compile failed");
step(`done: ${dist}/rkt`);
