// Builds the default stage1 image (stage1.aci: the static C entrypoints init, enter and gc)
// and the demo image (hello.aci) with the system gcc, ar, tar and gzip.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { imageIdFromDigest, normalizeImageKey } from "../src/appc/image-id";
import { C_WARNINGS, runTool, toolchain, type BuildTarget } from "../native/targets";
import { cniPlugins, STAGE1_CNI_PLUGINS } from "./cni-plugins";

const sourceDir = import.meta.dir;
const entrypoints = ["init", "enter", "gc"];
/** Directories the entrypoints mount on or create files in. */
const stage1Directories = ["opt/stage2", "rkt", "proc", "sys", "dev"];
/** Where the stage1 rootfs carries its CNI plugins (stage1/README.md: looked up there first). */
const STAGE1_PLUGIN_DIR = "usr/lib/rkt/plugins/net";
const cflags = ["-O2", "-D_GNU_SOURCE", ...C_WARNINGS];

/** Compiles every non-entrypoint source into one archive, so each entrypoint links only what it uses. */
function buildLibrary(objectDir: string, target: BuildTarget): string {
  const sources = readdirSync(sourceDir).filter((f) => f.endsWith(".c") && !entrypoints.includes(f.slice(0, -2)));
  const objects = sources.map((source) => {
    const object = join(objectDir, source.replace(/\.c$/, ".o"));
    runTool([toolchain(target, "gcc"), ...cflags, "-c", join(sourceDir, source), "-o", object]);
    return object;
  });
  const library = join(objectDir, "libstage1.a");
  rmSync(library, { force: true });
  runTool([toolchain(target, "ar"), "rcs", library, ...objects]);
  return library;
}

/** Writes the image manifest `source` with the `arch` label of the target it is built for. */
function writeManifest(source: string, layoutDir: string, target: BuildTarget): void {
  const manifest = JSON.parse(readFileSync(source, "utf8")) as { labels: { name: string; value: string }[] };
  manifest.labels.push({ name: "arch", value: target.appcArch });
  writeFileSync(join(layoutDir, "manifest"), `${JSON.stringify(manifest, null, 2)}\n`);
}

function packAci(layoutDir: string, aciPath: string): void {
  runTool(["tar", "--numeric-owner", "--owner=0", "--group=0", "-czf", aciPath, "-C", layoutDir, "manifest", "rootfs"]);
}

/**
 * Writes the image's store key (`sha512-` and 64 hex digits of its uncompressed tar, as an
 * import computes it) to `idPath`: rkt finds its embedded stage1 in the store by it.
 */
function writeImageId(aciPath: string, idPath: string): void {
  const tar = Bun.gunzipSync(readFileSync(aciPath));
  writeFileSync(idPath, normalizeImageKey(imageIdFromDigest(new Bun.CryptoHasher("sha512").update(tar).digest("hex"))));
}

/** Lays out and packs `${workDir}/stage1.aci` and writes its key to `${workDir}/stage1.id`; returns the image's path. */
export async function buildStage1Image(workDir: string, target: BuildTarget): Promise<string> {
  const objectDir = join(workDir, "stage1-objects");
  const layout = join(workDir, "stage1-layout");
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(objectDir, { recursive: true });
  for (const dir of stage1Directories) mkdirSync(join(layout, "rootfs", dir), { recursive: true, mode: 0o755 });
  const library = buildLibrary(objectDir, target);
  for (const name of entrypoints) {
    runTool([toolchain(target, "gcc"), "-static", ...cflags, join(sourceDir, `${name}.c`), library, "-o", join(layout, "rootfs", name)]);
  }
  const pluginDir = join(layout, "rootfs", STAGE1_PLUGIN_DIR);
  mkdirSync(pluginDir, { recursive: true, mode: 0o755 });
  const plugins = cniPlugins(target);
  for (const plugin of STAGE1_CNI_PLUGINS) copyFileSync(join(plugins, plugin), join(pluginDir, plugin));
  writeManifest(join(sourceDir, "manifest.json"), layout, target);
  const aci = join(workDir, "stage1.aci");
  packAci(layout, aci);
  writeImageId(aci, join(workDir, "stage1.id"));
  return aci;
}

/** Compiles the demo app and packs `${distDir}/hello.aci`; returns its path. */
export async function buildHelloImage(distDir: string, workDir: string, target: BuildTarget): Promise<string> {
  const layout = join(workDir, "hello-layout");
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(join(layout, "rootfs"), { recursive: true });
  runTool([toolchain(target, "gcc"), "-static", ...cflags, join(sourceDir, "hello", "hello.c"), "-o", join(layout, "rootfs", "hello")]);
  writeManifest(join(sourceDir, "hello", "manifest.json"), layout, target);
  const aci = join(distDir, "hello.aci");
  packAci(layout, aci);
  return aci;
}
