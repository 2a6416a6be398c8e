// The compression libraries that the native library links statically: ISA-L's igzip (for
// gzip: it inflates about twice as fast as zlib, with hand-written x86-64 and aarch64 code
// picked at run time by CPU features), bzip2 and xz's liblzma (decoders only), built with
// -fPIC from Debian's source packages, so that librktnative.so needs nothing from the host
// but libc. Debian's own libbz2.a is not position-independent, hence the build from source.
//
// The sources come once through apt (`apt-get source`, from the deb-src twin of the
// machine's own Debian archive, native/private-apt.ts) into .cache/native-deps/src; each target's archives are built
// once into .cache/native-deps/<target>/. After that the build is offline.
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { hasSources, machineDebianSources, withPrivateApt, type AptSources } from "./private-apt";
import { isCross, runTool, toolchain, type BuildTarget } from "./targets";
import { join, resolve } from "node:path";

export interface StaticDeps {
  includeDirs: string[];
  archives: string[];
}

const cacheRoot = resolve(import.meta.dir, "../.cache/native-deps");
const sourceRoot = join(cacheRoot, "src");
const sourcePackages = ["libisal", "bzip2", "xz-utils"];

/** The unpacked source tree of a package, e.g. `libisal-2.30.0`; undefined before the fetch. */
function sourceTree(pkg: string): string | undefined {
  if (!existsSync(sourceRoot)) return undefined;
  const dir = readdirSync(sourceRoot, { withFileTypes: true }).find(
    (entry) => entry.isDirectory() && entry.name.startsWith(`${pkg}-`) && /^\d/.test(entry.name.slice(pkg.length + 1)),
  );
  return dir && join(sourceRoot, dir.name);
}

/**
 * Fetches and unpacks the source packages not unpacked yet with apt. Some mirrors serve no source
 * pool for the security archive: then the sources come from the main archive alone, with
 * a warning.
 */
function fetchSources(packages: string[]): void {
  process.stderr.write(`build: native deps: fetching the sources of ${packages.join(", ")} with apt\n`);
  try {
    fetchSourcesFrom(machineDebianSources("deb-src", { withSecurity: true }), packages);
  } catch (err) {
    const mainOnly = machineDebianSources("deb-src", { withSecurity: false });
    if (!hasSources(mainOnly)) throw err;
    process.stderr.write("build: native deps: warning: the security archive serves no sources here; using the main archive's\n");
    fetchSourcesFrom(mainOnly, packages);
  }
}

function fetchSourcesFrom(sources: AptSources, packages: string[]): void {
  if (!hasSources(sources)) throw new Error(`native deps: no Debian archive in the machine's apt sources to fetch ${packages.join(", ")} from`);
  const downloads = join(cacheRoot, "download");
  rmSync(downloads, { recursive: true, force: true });
  mkdirSync(downloads, { recursive: true });
  try {
    withPrivateApt(join(cacheRoot, "apt"), sources, (apt) => apt("apt-get", ["source", "--download-only", ...packages], downloads));
    mkdirSync(sourceRoot, { recursive: true });
    for (const dsc of readdirSync(downloads).filter((name) => name.endsWith(".dsc"))) {
      // apt already checked the files against the archive's signed index.
      runTool(["dpkg-source", "--no-check", "-x", join(downloads, dsc)], { cwd: sourceRoot });
    }
  } finally {
    rmSync(downloads, { recursive: true, force: true });
  }
}

function requireSourceTree(pkg: string): string {
  const tree = sourceTree(pkg);
  if (!tree) throw new Error(`native deps: the ${pkg} source package was not unpacked into ${sourceRoot}`);
  return tree;
}

/** Compiles C files of one library into a static archive with position-independent code. */
function compileArchive(target: BuildTarget, dir: string, files: string[], defines: string[], archive: string): void {
  const objectDir = `${archive}.objects`;
  rmSync(objectDir, { recursive: true, force: true });
  mkdirSync(objectDir, { recursive: true });
  const objects = files.map((file) => {
    const object = join(objectDir, file.replace(/\.c$/, ".o"));
    runTool([toolchain(target, "gcc"), "-O2", "-fPIC", "-fvisibility=hidden", ...defines, "-c", join(dir, file), "-o", object]);
    return object;
  });
  runTool([toolchain(target, "ar"), "rcs", archive, ...objects]);
  rmSync(objectDir, { recursive: true, force: true });
}

/**
 * ISA-L's igzip and the CRCs it uses, with its own makefile: nasm assembles the x86-64
 * kernels, the cross gcc the aarch64 ones. `CPPFLAGS` reaches only the C compiler, not nasm.
 */
function buildIsal(target: BuildTarget, outDir: string): string {
  const archive = join(outDir, "libisal.a");
  if (existsSync(archive)) return archive;
  const objectDir = `${archive}.objects`;
  rmSync(objectDir, { recursive: true, force: true });
  const cc = toolchain(target, "gcc");
  const cpu = target.triple.split("-")[0]!;
  const aarch64 = cpu === "aarch64" ? ["arch=aarch64", `AS=${cc} -D__ASSEMBLY__`] : [];
  runTool([
    "make", "-s", "-j2", "-f", "Makefile.unx", "lib", "units=igzip", `host_cpu=${cpu}`, ...aarch64,
    `CC=${cc}`, `AR=${toolchain(target, "ar")}`, "CPPFLAGS=-fPIC", `O=${objectDir}`, `lib_name=${archive}`,
  ], { cwd: requireSourceTree("libisal") });
  rmSync(objectDir, { recursive: true, force: true });
  if (!existsSync(archive)) throw new Error(`native deps: libisal.a was not built for ${target.name}`);
  return archive;
}

function buildBzip2(target: BuildTarget, outDir: string): string {
  const archive = join(outDir, "libbz2.a");
  const files = ["blocksort.c", "huffman.c", "crctable.c", "randtable.c", "compress.c", "decompress.c", "bzlib.c"];
  if (!existsSync(archive)) compileArchive(target, requireSourceTree("bzip2"), files, ["-DBZ_NO_STDIO"], archive);
  return archive;
}

function buildLiblzma(target: BuildTarget, outDir: string): string {
  const archive = join(outDir, "liblzma.a");
  if (existsSync(archive)) return archive;
  const buildDir = join(outDir, "xz-build");
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(buildDir, { recursive: true });
  const configure = [
    join(requireSourceTree("xz-utils"), "configure"), "-q",
    "--disable-shared", "--enable-static", "--with-pic", "--disable-encoders", "--disable-threads",
    "--disable-xz", "--disable-xzdec", "--disable-lzmadec", "--disable-lzmainfo", "--disable-lzma-links",
    "--disable-scripts", "--disable-doc", "--disable-nls", "--disable-symbol-versions",
    ...(isCross(target) ? [`--host=${target.triple}`] : []),
  ];
  runTool(configure, { cwd: buildDir, env: { CC: toolchain(target, "gcc"), AR: toolchain(target, "ar"), CFLAGS: "-O2 -fPIC -fvisibility=hidden" } });
  runTool(["make", "-s", "-j2", "-C", "src/liblzma"], { cwd: buildDir });
  Bun.spawnSync(["cp", join(buildDir, "src/liblzma/.libs/liblzma.a"), archive]);
  rmSync(buildDir, { recursive: true, force: true });
  if (!existsSync(archive)) throw new Error(`native deps: liblzma.a was not built for ${target.name}`);
  return archive;
}

/** The static archives and headers of ISA-L, bzip2 and liblzma for a target, built on first use. */
export function staticDeps(target: BuildTarget): StaticDeps {
  const missing = sourcePackages.filter((pkg) => !sourceTree(pkg));
  if (missing.length > 0) fetchSources(missing);
  const outDir = join(cacheRoot, target.name);
  mkdirSync(outDir, { recursive: true });
  const archives = [buildIsal(target, outDir), buildBzip2(target, outDir), buildLiblzma(target, outDir)];
  return {
    includeDirs: [join(requireSourceTree("libisal"), "include"), requireSourceTree("bzip2"), join(requireSourceTree("xz-utils"), "src/liblzma/api")],
    archives,
  };
}
