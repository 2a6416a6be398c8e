// Compiles native/*.c into the shared library that src/sys/native.ts embeds and loads.
// ISA-L (gzip), bzip2 and liblzma are linked in statically (native/deps.ts) and every libc symbol
// is bound to a version no newer than glibc 2.17 (native/glibc_compat.h): the library
// needs only libc, like the Bun runtime it is loaded into. checkPortable holds that.
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { staticDeps } from "./deps";
import { C_WARNINGS, toolchain, type BuildTarget } from "./targets";

const sourceDir = import.meta.dir;
/** The newest glibc symbol version the library may need (Bun's runtime needs 2.17). */
export const GLIBC_FLOOR = [2, 17];

/**
 * `rkt list`'s own library, librktlist.so: the pod scan and its cache without the decompressors, some
 * 20 KiB where librktnative.so is 440, since every start copies the library it loads.
 */
const LIST_SOURCES = ["dirlist.c", "error.c", "glibc_compat.c", "list_cache.c", "lock_table.c", "mount_points.c", "path.c", "pod_scan.c", "prefault.c", "proc_file.c"];
const LIST_ONLY_SOURCES = ["list_cache.c", "lock_table.c", "pod_scan.c", "prefault.c"];

export async function buildNativeLibrary(workDir: string, target: BuildTarget): Promise<void> {
  const all = readdirSync(sourceDir).filter((name) => name.endsWith(".c")).sort();
  buildLibrary(join(workDir, "librktnative.so"), all.filter((name) => !LIST_ONLY_SOURCES.includes(name)), target);
  buildLibrary(join(workDir, "librktlist.so"), LIST_SOURCES, target);
}

function buildLibrary(output: string, sourceNames: string[], target: BuildTarget): void {
  const deps = staticDeps(target);
  const sources = sourceNames.map((name) => join(sourceDir, name));
  const cc = toolchain(target, "gcc");
  const proc = Bun.spawnSync(
    [
      // -s: every copy of the library at start-up (from the executable, into the memfd) is a quarter smaller.
      cc, "-O2", "-s", "-fPIC", "-shared", "-std=gnu11", ...C_WARNINGS, "-pthread",
      "-fvisibility=hidden", "-include", join(sourceDir, "glibc_compat.h"),
      ...deps.includeDirs.map((dir) => `-I${dir}`),
      "-o", output, ...sources, ...deps.archives,
      // Keep the static libraries' symbols out of the dynamic table.
      "-Wl,--exclude-libs,ALL", "-Wl,--as-needed",
    ],
    { stdout: "inherit", stderr: "inherit" },
  );
  if (proc.exitCode !== 0) throw new Error(`native library ${basename(output)}: ${cc} failed for ${target.name} (exit ${proc.exitCode})`);
  checkPortable(output);
}

/** What a shared object needs from its host: its NEEDED libraries and glibc symbol versions. */
export function dynamicNeeds(file: string): { libraries: string[]; glibcVersions: string[] } {
  const dynamic = Bun.spawnSync(["readelf", "-d", "-W", file], { stdout: "pipe" }).stdout.toString();
  const symbols = Bun.spawnSync(["readelf", "--dyn-syms", "-W", file], { stdout: "pipe" }).stdout.toString();
  const libraries = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
  const glibcVersions = [...new Set([...symbols.matchAll(/@GLIBC_([0-9.]+)/g)].map((m) => m[1]!))];
  return { libraries, glibcVersions };
}

function newerThanFloor(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > GLIBC_FLOOR[0]! || (major === GLIBC_FLOOR[0] && minor > GLIBC_FLOOR[1]!);
}

/** Fails the build when the library needs more than libc, or a glibc newer than the floor. */
export function checkPortable(file: string): void {
  const { libraries, glibcVersions } = dynamicNeeds(file);
  const foreign = libraries.filter((lib) => !/^(libc\.so\.6|ld-linux-[\w-]+\.so\.\d)$/.test(lib));
  if (foreign.length > 0) throw new Error(`native library: needs ${foreign.join(", ")} besides libc; link it statically`);
  const tooNew = glibcVersions.filter(newerThanFloor);
  if (tooNew.length > 0) {
    throw new Error(`native library: needs GLIBC_${tooNew.join(", GLIBC_")}, newer than ${GLIBC_FLOOR.join(".")}; see native/glibc_compat.h`);
  }
}
