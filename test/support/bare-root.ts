// Roots that hold nothing of a host but the dynamic loader and the C library, for running
// dist/rkt as it would run on a minimal host or an older distribution: this machine's
// libraries that `ldd` names, or Debian 11's libc6 package (glibc 2.31).
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { machineDebianSources, withPrivateApt } from "../../native/private-apt";
import { repoRoot, rktBinary, type RunResult } from "./harness";

/** Directories every root gets; /proc, /sys and /dev are mounted there per command. */
const skeleton = ["proc", "sys", "dev", "tmp", "var/lib", "images"];

function makeSkeleton(root: string): void {
  for (const dir of skeleton) mkdirSync(join(root, dir), { recursive: true });
  copyFileSync(rktBinary, join(root, "rkt"));
  Bun.spawnSync(["chmod", "0755", join(root, "rkt")]);
}

/** The shared libraries `ldd` names for dist/rkt, with the loader. */
function libraryPaths(): string[] {
  const ldd = Bun.spawnSync(["ldd", rktBinary], { stdout: "pipe" }).stdout.toString();
  return [...ldd.matchAll(/(\/[^\s]+\.so[^\s]*)/g)].map((m) => m[1]!);
}

/** A root with this machine's loader and the libraries dist/rkt links, copied (not linked). */
export function machineLibcRoot(root: string): void {
  makeSkeleton(root);
  for (const path of libraryPaths()) {
    mkdirSync(join(root, dirname(path)), { recursive: true });
    copyFileSync(path, join(root, path));
  }
}

const olderLibcCache = join(repoRoot, ".cache/older-host");

/** The cached libc6 package of Debian 11 (glibc 2.31), if fetchOlderLibc has run. */
export function olderLibcPackage(): string | undefined {
  if (!existsSync(olderLibcCache)) return undefined;
  const deb = readdirSync(olderLibcCache).find((name) => /^libc6_2\.31-.*\.deb$/.test(name));
  return deb && join(olderLibcCache, deb);
}

/**
 * Downloads Debian 11's libc6 with apt into .cache/older-host, once (test-assets.ts, before
 * the tests, which have no network); it fails when the archive does not serve bullseye.
 */
export function fetchOlderLibc(): string {
  const cached = olderLibcPackage();
  if (cached) return cached;
  mkdirSync(olderLibcCache, { recursive: true });
  const sources = machineDebianSources("deb", { withSecurity: false, suite: "bullseye" });
  withPrivateApt(join(olderLibcCache, "apt"), sources, (apt) => {
    // apt's candidate is the machine's own newer libc6: ask for bullseye's version by name.
    const version = apt("apt-cache", ["madison", "libc6"], olderLibcCache).match(/\|\s*(2\.31-[^\s|]+)\s*\|/)?.[1];
    if (!version) throw new Error("the Debian archive lists no libc6 2.31 (bullseye)");
    apt("apt-get", ["download", `libc6=${version}`], olderLibcCache);
  });
  const deb = olderLibcPackage();
  if (!deb) throw new Error("bullseye's libc6 was not downloaded");
  return deb;
}

/** A root with Debian 11's libc6 unpacked (loader, libc, libpthread, libdl, libm). */
export function bullseyeLibcRoot(root: string): void {
  const deb = olderLibcPackage();
  if (!deb) throw new Error("no cached bullseye libc6: run `bun test/support/test-assets.ts` with network first");
  makeSkeleton(root);
  const unpack = Bun.spawnSync(["dpkg-deb", "-x", deb, root], { stderr: "pipe" });
  if (unpack.exitCode !== 0) throw new Error(`dpkg-deb -x ${deb}: ${unpack.stderr.toString()}`);
}

/**
 * Runs `/rkt --dir=/var/lib/rkt ARGS` chrooted in `root`, in a mount namespace of its own
 * with `root` a mount point and /proc, /sys and /dev mounted in it (all gone with the
 * namespace).
 */
export async function rktInRoot(root: string, args: string[]): Promise<RunResult> {
  const script = [
    'root="$1"; shift',
    // A host's / is a mount point; stage1 makes it a slave mount.
    'mount --bind "$root" "$root"',
    'mount -t proc proc "$root/proc"',
    'mount --rbind /sys "$root/sys"',
    'mount --rbind /dev "$root/dev"',
    'exec chroot "$root" /rkt --dir=/var/lib/rkt "$@"',
  ].join(" && ");
  const proc = Bun.spawn(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", root, ...args], {
    stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

