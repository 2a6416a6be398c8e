// Builds everything into dist/, for the build machine and for the other targets
// (native/targets.ts): the native library and the stage1 image (embedded assets), the demo
// image, the sample systemd units, shell completion scripts, man pages and the single executable.
//
//   bun build.ts                         every target: dist/rkt (this machine's), dist/linux-arm64/rkt, ...
//   bun build.ts --target=linux-x64      one target only
//
// The build machine's target goes to dist/ (dist/build/ holds its assets, which tests use);
// another target's to dist/<target>/, its assets in dist/build/<target>/. The executable
// embeds whatever sits in dist/build/ when it is compiled (src/sys/native.ts,
// src/pod/embedded-stage1.ts), so a cross target's assets are copied there for its
// compile, and the build machine's target is built last.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildNativeLibrary } from "./native/build";
import { hostTarget, isCross, targets, type BuildTarget } from "./native/targets";
import { buildHelloImage, buildStage1Image } from "./stage1/build";

const dist = "dist";
const slot = `${dist}/build`;

function step(name: string) {
  process.stderr.write(`build: ${name}\n`);
}

function run(argv: string[], env: Record<string, string> = {}): void {
  const proc = Bun.spawnSync(argv, { stdout: "inherit", stderr: "inherit", env: { ...process.env, ...env } });
  if (proc.exitCode !== 0) throw new Error(`build: ${argv.slice(0, 2).join(" ")} failed (exit ${proc.exitCode})`);
}

function requestedTargets(): BuildTarget[] {
  const flag = process.argv.slice(2).find((arg) => arg.startsWith("--target="));
  const host = hostTarget();
  if (!flag) return [...Object.values(targets).filter(isCross), host];
  const name = flag.slice("--target=".length);
  const target = targets[name];
  if (!target) throw new Error(`build: unknown --target=${name}; known: ${Object.keys(targets).join(", ")}`);
  return [target];
}

/**
 * A directory holding the target's Bun runtime where `bun build --compile` looks for it
 * (BUN_INSTALL_CACHE_DIR), taken from its npm package at the version and hash that
 * package-lock.json pins (npm does not install a foreign architecture's optional
 * dependency, so `npm pack` fetches it once into .cache/bun-runtimes).
 */
function crossRuntimeCache(target: BuildTarget): string {
  const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as { packages: Record<string, { version: string; integrity: string }> };
  const pinned = lock.packages[`node_modules/${target.bunPackage}`];
  if (!pinned) throw new Error(`build: package-lock.json pins no ${target.bunPackage}`);
  const cache = `.cache/bun-runtimes/${target.name}`;
  const runtime = join(cache, `${target.bunTarget}-v${pinned.version}`);
  if (existsSync(runtime)) return cache;
  mkdirSync(cache, { recursive: true });
  step(`${target.name}: fetching the Bun runtime ${target.bunPackage}@${pinned.version} with npm`);
  const pack = Bun.spawnSync(["npm", "pack", "--silent", `${target.bunPackage}@${pinned.version}`, "--pack-destination", cache], { stdout: "pipe", stderr: "inherit" });
  if (pack.exitCode !== 0) throw new Error(`build: npm pack ${target.bunPackage}@${pinned.version} failed`);
  const tarball = join(cache, pack.stdout.toString().trim().split("\n").pop()!);
  const digest = `sha512-${new Bun.CryptoHasher("sha512").update(readFileSync(tarball)).digest("base64")}`;
  if (digest !== pinned.integrity) throw new Error(`build: ${tarball} does not match package-lock.json's integrity`);
  run(["tar", "-xzf", tarball, "-C", cache, "--strip-components=2", "package/bin/bun"]);
  copyFileSync(join(cache, "bun"), runtime);
  rmSync(join(cache, "bun"));
  rmSync(tarball);
  return cache;
}

async function buildTarget(target: BuildTarget): Promise<void> {
  const cross = isCross(target);
  const outDir = cross ? `${dist}/${target.name}` : dist;
  const assetDir = cross ? `${slot}/${target.name}` : slot;
  mkdirSync(assetDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  step(`${target.name}: native library`);
  await buildNativeLibrary(assetDir, target);
  step(`${target.name}: stage1 image`);
  await buildStage1Image(assetDir, target);
  step(`${target.name}: demo image`);
  await buildHelloImage(outDir, assetDir, target);
  if (cross) for (const asset of ["librktnative.so", "librktlist.so", "stage1.aci", "stage1.id"]) copyFileSync(join(assetDir, asset), join(slot, asset));

  step(`${target.name}: rkt executable`);
  // --bytecode (which needs the ESM format for main.ts's top-level await) cuts start-up by a third:
  // `rkt version` took 1.47x as long without it in one interleaved run (bench/start.ts).
  // --splitting keeps each lazily imported command (and what only it uses, e.g. openpgp with
  // node:crypto) in its own chunk: one bundle hoists every module's builtin imports, so
  // every command paid for loading them at start-up.
  // No bunfig.toml or .env autoloading: rkt runs as root in whatever directory it is
  // started from, where a bunfig.toml `preload` would run its code and a .env would reach
  // --inherit-env apps; and the .env search read every directory up to the root per start.
  // --compile-jit-policy=4 lets JavaScriptCore tier code up to its JITs 4 times later: a
  // pod start runs most of its code once, and compiling it cost ~2.5 ms of a cached
  // `rkt run` (65.4 against 67.6 ms medians, 21 interleaved runs); the long-running
  // commands' hot loops still reach the JITs.
  run(
    [
      process.execPath, "build", "--compile", `--target=${target.bunTarget}`, "--minify", "--bytecode", "--format=esm",
      "--splitting", "--sourcemap=none", "--no-compile-autoload-bunfig", "--no-compile-autoload-dotenv",
      "--compile-jit-policy=4", "src/main.ts", "--outfile", `${outDir}/rkt`,
    ],
    cross ? { BUN_INSTALL_CACHE_DIR: crossRuntimeCache(target) } : {},
  );
  step(`${target.name}: done: ${outDir}/rkt`);
}

/** The day of the last commit, so that the pages of one source are the same bytes (today outside a git checkout). */
function sourceDate(): string {
  const git = Bun.spawnSync(["git", "log", "-1", "--format=%cs"], { stdout: "pipe", stderr: "ignore" });
  const day = git.exitCode === 0 ? git.stdout.toString().trim() : "";
  return day || new Date().toISOString().slice(0, 10);
}

/**
 * Shell completion scripts and man pages, from the command table (the same scripts `rkt
 * completion SHELL` prints). Imported only now: loading every command's module embeds the
 * assets in dist/build/, which a fresh checkout has only once a target is built.
 */
async function writeCompletionAndManPages(): Promise<void> {
  const { loadCommandTable } = await import("./src/cli/command-table");
  const { rktRoot } = await import("./src/cli/commands");
  const { completionScript } = await import("./src/cli/completion-scripts");
  const { manPages } = await import("./src/cli/man-pages");
  const { RKT_CLI_VERSION } = await import("./src/version");
  const table = await loadCommandTable(rktRoot);
  const completion = `${dist}/completion`;
  const man = `${dist}/man`;
  rmSync(completion, { recursive: true, force: true });
  rmSync(man, { recursive: true, force: true });
  mkdirSync(completion, { recursive: true });
  mkdirSync(man, { recursive: true });
  writeFileSync(`${completion}/rkt.bash`, completionScript("bash", table, "rkt"));
  writeFileSync(`${completion}/_rkt`, completionScript("zsh", table, "rkt"));
  writeFileSync(`${completion}/rkt.fish`, completionScript("fish", table, "rkt"));
  for (const [name, page] of manPages(table, RKT_CLI_VERSION, sourceDate())) writeFileSync(`${man}/${name}`, page);
}

mkdirSync(slot, { recursive: true });
step("systemd units");
cpSync("src/init/systemd", `${dist}/init/systemd`, { recursive: true });
for (const target of requestedTargets()) await buildTarget(target);
step("completion scripts and man pages");
await writeCompletionAndManPages();
