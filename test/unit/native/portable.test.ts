// The native library must load wherever dist/rkt does: nothing but libc, no glibc symbol
// newer than Bun's own floor (2.17). The build refuses a library that breaks this
// (checkPortable); these tests hold the built library and the check itself to it.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkPortable, dynamicNeeds, GLIBC_FLOOR } from "../../../native/build";
import { repoRoot, rktBinary, tempDir } from "../../support/harness";

const library = join(repoRoot, "dist/build/librktnative.so");
/** Every target's library and executable that the build made. */
const builds = [
  { library, executable: rktBinary },
  { library: join(repoRoot, "dist/build/librktlist.so"), executable: rktBinary },
  { library: join(repoRoot, "dist/build/linux-arm64/librktnative.so"), executable: join(repoRoot, "dist/linux-arm64/rkt") },
  { library: join(repoRoot, "dist/build/linux-arm64/librktlist.so"), executable: join(repoRoot, "dist/linux-arm64/rkt") },
].filter((build) => existsSync(build.library) && existsSync(build.executable));

function newerThanFloor(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major * 1000 + minor > GLIBC_FLOOR[0]! * 1000 + GLIBC_FLOOR[1]!;
}

describe("the built native libraries", () => {
  test("are there for this machine at least", () => {
    expect(builds.map((build) => build.library)).toContain(library);
    expect(builds.map((build) => build.library)).toContain(join(repoRoot, "dist/build/librktlist.so"));
  });

  test("need only libc and its loader", () => {
    for (const build of builds) {
      const { libraries } = dynamicNeeds(build.library);
      expect(libraries).toContain("libc.so.6");
      for (const lib of libraries) expect(lib).toMatch(/^(libc\.so\.6|ld-linux-[\w-]+\.so\.\d)$/);
    }
  });

  test("need no glibc symbol newer than 2.17, nor does the Bun runtime", () => {
    for (const build of builds) {
      expect(dynamicNeeds(build.library).glibcVersions.length).toBeGreaterThan(0);
      for (const file of [build.library, build.executable]) expect(dynamicNeeds(file).glibcVersions.filter(newerThanFloor)).toEqual([]);
    }
  });

  test("leave no symbol undefined but libc's: an unresolved one would kill the process when first called", () => {
    for (const build of builds) {
      const undefinedSymbols = Bun.spawnSync(["nm", "-D", "--undefined-only", build.library], { stdout: "pipe" }).stdout.toString();
      const unversioned = [...undefinedSymbols.matchAll(/^\s+U (\S+)$/gm)].map((m) => m[1]).filter((name) => !name!.includes("@"));
      expect({ library: build.library, unversioned }).toEqual({ library: build.library, unversioned: [] });
    }
  });

  test("rkt list's library is the pod scan and its cache alone, without the decompressors every start would copy", () => {
    const listLibrary = join(repoRoot, "dist/build/librktlist.so");
    const exported = Bun.spawnSync(["nm", "-D", "--defined-only", listLibrary], { stdout: "pipe" }).stdout.toString();
    expect([...exported.matchAll(/ T (\w+)$/gm)].map((m) => m[1]).sort()).toEqual(["rkt_list_cache_append", "rkt_list_cache_compact", "rkt_pod_scan"]);
    expect(statSync(listLibrary).size).toBeLessThan(statSync(library).size / 8);
  });
});

describe("the build's portability check", () => {
  const dir = tempDir("rkt-portable-");
  afterAll(() => dir.cleanup());

  function sharedObject(name: string, source: string, libs: string[]): string {
    const c = join(dir.path, `${name}.c`);
    const so = join(dir.path, `${name}.so`);
    writeFileSync(c, source);
    const cc = Bun.spawnSync(["cc", "-shared", "-fPIC", "-o", so, c, ...libs], { stderr: "pipe" });
    if (cc.exitCode !== 0) throw new Error(cc.stderr.toString());
    return so;
  }

  test("refuses a library that links another shared library", () => {
    const so = sharedObject("dynamic_zlib", "#include <zlib.h>\nconst char *v(void) { return zlibVersion(); }\n", ["-lz"]);
    expect(() => checkPortable(so)).toThrow("needs libz.so.1 besides libc");
  });

  test("refuses a library that needs a glibc newer than 2.17", () => {
    const so = sharedObject("new_glibc", "#include <sys/stat.h>\nint s(int fd, struct stat *st) { return fstat(fd, st); }\n", []);
    expect(() => checkPortable(so)).toThrow("newer than 2.17");
  });
});
