// Builds the default stage1 image (stage1.aci: the static C entrypoints init, enter and gc)
// and the demo image (hello.aci) with the system gcc, ar, tar and gzip.
import { mkdirSync, readdirSync, rmSync, copyFileSync } from "node:fs";
import { join } from "node:path";

const sourceDir = import.meta.dir;
const entrypoints = ["init", "enter", "gc"];
/** Directories the entrypoints mount on or create files in. */
const stage1Directories = ["opt/stage2", "rkt", "proc", "sys", "dev"];
const cflags = [
  "-O2",
  "-D_GNU_SOURCE",
  "-Wall",
  "-Wextra",
  "-Wshadow",
  "-Wformat=2",
  "-Wstrict-prototypes",
  "-Wmissing-prototypes",
  "-Werror",
];

function run(argv: string[]): void {
  const result = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) {
    throw new Error(`${argv[0]} failed (exit ${result.exitCode}): ${argv.join(" ")}\n${result.stderr.toString()}${result.stdout.toString()}`);
  }
}

/** Compiles every non-entrypoint source into one archive, so each entrypoint links only what it uses. */
function buildLibrary(objectDir: string): string {
  const sources = readdirSync(sourceDir).filter((f) => f.endsWith(".c") && !entrypoints.includes(f.slice(0, -2)));
  const objects = sources.map((source) => {
    const object = join(objectDir, source.replace(/\.c$/, ".o"));
    run(["gcc", ...cflags, "-c", join(sourceDir, source), "-o", object]);
    return object;
  });
  const library = join(objectDir, "libstage1.a");
  rmSync(library, { force: true });
  run(["ar", "rcs", library, ...objects]);
  return library;
}

function packAci(layoutDir: string, aciPath: string): void {
  run(["tar", "--numeric-owner", "--owner=0", "--group=0", "-czf", aciPath, "-C", layoutDir, "manifest", "rootfs"]);
}

/** Lays out and packs `${workDir}/stage1.aci`; returns its path. */
export async function buildStage1Image(workDir: string): Promise<string> {
  const objectDir = join(workDir, "stage1-objects");
  const layout = join(workDir, "stage1-layout");
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(objectDir, { recursive: true });
  for (const dir of stage1Directories) mkdirSync(join(layout, "rootfs", dir), { recursive: true, mode: 0o755 });
  const library = buildLibrary(objectDir);
  for (const name of entrypoints) {
    run(["gcc", "-static", ...cflags, join(sourceDir, `${name}.c`), library, "-o", join(layout, "rootfs", name)]);
  }
  copyFileSync(join(sourceDir, "manifest.json"), join(layout, "manifest"));
  const aci = join(workDir, "stage1.aci");
  packAci(layout, aci);
  return aci;
}

/** Compiles the demo app and packs `${distDir}/hello.aci`; returns its path. */
export async function buildHelloImage(distDir: string): Promise<string> {
  const layout = join(distDir, "build", "hello-layout");
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(join(layout, "rootfs"), { recursive: true });
  run(["gcc", "-static", ...cflags, join(sourceDir, "hello", "hello.c"), "-o", join(layout, "rootfs", "hello")]);
  copyFileSync(join(sourceDir, "hello", "manifest.json"), join(layout, "manifest"));
  const aci = join(distDir, "hello.aci");
  packAci(layout, aci);
  return aci;
}
