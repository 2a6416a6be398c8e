// What the image benchmarks share: a Debian bookworm minbase tree, made once with
// debootstrap from the machine's Debian mirror and cleaned as Debian's container image is
// (no .debs, no apt lists), packed as an ACI (tar, then gzip) and cached in .cache/bench/;
// and the timing of one command after `sync`, with its peak RSS.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { machineDebianSources } from "../native/private-apt";

export const cacheDir = resolve(import.meta.dir, "../.cache/bench");
const imageName = "debian-bookworm-minbase";

export function sh(argv: string[]): string {
  const p = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  if (p.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (exit ${p.exitCode}): ${p.stderr.toString().trim().split("\n").pop()}`);
  return p.stdout.toString();
}

export const installed = (tool: string) => Bun.which(tool) !== null;

/** The first Debian archive of the machine's apt sources, e.g. http://deb.debian.org/debian. */
function debianMirror(): string {
  const { stanzas, lines } = machineDebianSources("deb", { withSecurity: false });
  const uris = [
    ...stanzas.map((stanza) => /^URIs:\s*(\S+)/m.exec(stanza)?.[1]),
    ...lines.map((line) => /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line)?.[1]),
  ];
  const mirror = uris.find((uri) => uri !== undefined);
  if (!mirror) throw new Error("bench: no Debian archive in the machine's apt sources to debootstrap from");
  return mirror;
}

/** The image as a plain tar and as a gzip ACI (`manifest`, `rootfs/...`), built on first use. */
export function benchImage(): { tar: string; aci: string } {
  const tar = join(cacheDir, `${imageName}.tar`);
  const aci = join(cacheDir, `${imageName}.aci`);
  if (existsSync(tar) && existsSync(aci)) return { tar, aci };
  if (!installed("debootstrap")) throw new Error("bench: debootstrap is not installed: apt-get install debootstrap");
  const build = join(cacheDir, `${imageName}.build`);
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  const mirror = debianMirror();
  process.stderr.write(`bench: debootstrap --variant=minbase bookworm from ${mirror} (once, cached in ${cacheDir})\n`);
  sh(["debootstrap", "--variant=minbase", "bookworm", join(build, "rootfs"), mirror]);
  sh(["sh", "-c", `rm -rf ${build}/rootfs/var/cache/apt/archives/*.deb ${build}/rootfs/var/lib/apt/lists/*`]);
  const manifest = { acKind: "ImageManifest", acVersion: "0.6.1", name: `bench/${imageName}`, labels: [{ name: "os", value: "linux" }] };
  writeFileSync(join(build, "manifest"), JSON.stringify(manifest));
  sh(["tar", "--numeric-owner", "-C", build, "-cf", join(build, "image.tar"), "manifest", "rootfs"]);
  sh(["sh", "-c", `gzip -c ${build}/image.tar > ${build}/image.aci`]);
  renameSync(join(build, "image.aci"), aci);
  renameSync(join(build, "image.tar"), tar);
  rmSync(build, { recursive: true, force: true });
  return { tar, aci };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Wall time (ms) and peak RSS (KiB) of one command, after a sync. */
export function measure(argv: string[], rssFile: string): { ms: number; rssKib: number } {
  sh(["sync"]);
  const start = performance.now();
  const p = Bun.spawnSync(["/usr/bin/time", "-f", "%M", "-o", rssFile, ...argv], { stdout: "ignore", stderr: "pipe", stdin: "ignore" });
  const ms = performance.now() - start;
  if (p.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (exit ${p.exitCode}): ${p.stderr.toString().trim().split("\n").pop()}`);
  return { ms, rssKib: Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()) };
}

/** The CPU model and thread count, for the bench's first line. */
export function cpuLine(): string {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? process.arch;
  return `cpu: ${cpu}, ${navigator.hardwareConcurrency} threads`;
}
