// Image benchmark (`bun bench/image.ts [RUNS]`, as root, after `bun build.ts`): the whole
// commands on a real distribution tree. A Debian bookworm minbase tree, made once with
// debootstrap from the machine's Debian mirror and cleaned as Debian's container image is
// (no .debs, no apt lists), is packed as an ACI (tar, then gzip) and cached in .cache/bench/.
// Then, interleaved, RUNS times each, every run after `sync` and into a fresh target:
//   fetch:  dist/rkt fetch (fresh store)  vs  tar -xzf, tar -xzf && sync -f, tar -I pigz -xf
//   render: dist/rkt image render         vs  tar -xf, tar -xf && sync -f (the uncompressed tar)
// Prints the CPU, medians, ratios (ours/theirs, and the median of each round's ratio), the
// spread of each contender (how noisy the machine was) and peak RSS (/usr/bin/time -f %M).
// Targets: fetch <= 1.0 x tar -xzf, render <= 1.1 x tar -xf, rkt's peak RSS <= 64 MiB.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { machineDebianSources } from "../native/private-apt";
import { rktBinary, tempDir } from "../test/support/harness";

const runs = Number(process.argv[2] ?? 5);
const cacheDir = resolve(import.meta.dir, "../.cache/bench");
const imageName = "debian-bookworm-minbase";
const RSS_TARGET_KIB = 64 << 10;

function sh(argv: string[]): string {
  const p = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  if (p.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (exit ${p.exitCode}): ${p.stderr.toString().trim().split("\n").pop()}`);
  return p.stdout.toString();
}

const installed = (tool: string) => Bun.which(tool) !== null;

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

/** The image as a plain tar and as a gzip ACI, built on first use. */
function benchImage(): { tar: string; aci: string } {
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

interface Contender {
  group: "fetch" | "render";
  name: string;
  /** Why it cannot run here, if it cannot. */
  unavailable?: string;
  /** Makes a fresh target (untimed) and returns the command to time. */
  prepare: () => string[];
  times: number[];
  rssKib: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Wall time (ms) and peak RSS (KiB) of one command, after a sync. */
function measure(argv: string[], rssFile: string): { ms: number; rssKib: number } {
  sh(["sync"]);
  const start = performance.now();
  const p = Bun.spawnSync(["/usr/bin/time", "-f", "%M", "-o", rssFile, ...argv], { stdout: "ignore", stderr: "pipe", stdin: "ignore" });
  const ms = performance.now() - start;
  if (p.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (exit ${p.exitCode}): ${p.stderr.toString().trim().split("\n").pop()}`);
  return { ms, rssKib: Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()) };
}

if (!existsSync(rktBinary)) throw new Error(`${rktBinary} is missing: run bun build.ts first`);
if (!existsSync("/usr/bin/time")) throw new Error("bench: /usr/bin/time is missing: apt-get install time");

const { tar, aci } = benchImage();
const entries = sh(["tar", "-tf", tar]).trim().split("\n").length;
const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? process.arch;
console.log(`cpu: ${cpu}, ${navigator.hardwareConcurrency} threads`);
console.log(
  `image: Debian bookworm minbase, ${entries} entries; tar ${(Bun.file(tar).size / 1e6).toFixed(0)} MB, aci (gzip) ${(Bun.file(aci).size / 1e6).toFixed(0)} MB; ${runs} runs each, interleaved, each after sync`,
);

const work = tempDir("rkt-bench-image-");
try {
  const target = join(work.path, "target");
  const fresh = (): string => {
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target);
    return target;
  };
  const fetchStore = join(work.path, "fetch-store");
  const renderStore = join(work.path, "render-store");
  sh([rktBinary, `--dir=${renderStore}`, "--insecure-skip-verify", "fetch", aci]);
  const imageKey = sh([rktBinary, `--dir=${renderStore}`, "image", "list", "--no-legend", "--fields=key"]).trim().split("\n")[0]!;

  const contender = (group: Contender["group"], name: string, prepare: () => string[], unavailable?: string): Contender =>
    ({ group, name, prepare, unavailable, times: [], rssKib: [] });
  const shell = (command: string) => ["sh", "-c", command];
  const contenders: Contender[] = [
    contender("fetch", "rkt fetch", () => {
      rmSync(fetchStore, { recursive: true, force: true });
      return [rktBinary, `--dir=${fetchStore}`, "--insecure-skip-verify", "fetch", aci];
    }),
    contender("fetch", "tar -xzf", () => ["tar", "-C", fresh(), "-xzf", aci]),
    contender("fetch", "tar -xzf && sync -f", () => shell(`tar -C ${fresh()} -xzf ${aci} && sync -f ${target}`)),
    contender("fetch", "tar -I pigz -xf", () => ["tar", "-I", "pigz", "-C", fresh(), "-xf", aci], installed("pigz") ? undefined : "pigz is not installed (apt-get install pigz)"),
    contender("render", "rkt image render", () => {
      rmSync(target, { recursive: true, force: true });
      return [rktBinary, `--dir=${renderStore}`, "image", "render", imageKey, target];
    }),
    contender("render", "tar -xf", () => ["tar", "-C", fresh(), "-xf", tar]),
    contender("render", "tar -xf && sync -f", () => shell(`tar -C ${fresh()} -xf ${tar} && sync -f ${target}`)),
  ];
  const rssFile = join(work.path, "rss");
  for (let i = 0; i < runs; i++) {
    for (const c of contenders.filter((c) => !c.unavailable)) {
      const { ms, rssKib } = measure(c.prepare(), rssFile);
      c.times.push(ms);
      c.rssKib.push(rssKib);
    }
  }
  rmSync(target, { recursive: true, force: true });

  for (const group of ["fetch", "render"] as const) {
    const [ours, ...peers] = contenders.filter((c) => c.group === group);
    const spread = (c: Contender) => `spread ${Math.min(...c.times).toFixed(0)}-${Math.max(...c.times).toFixed(0)} ms`;
    const rss = (c: Contender) => `peak RSS ${(median(c.rssKib) / 1024).toFixed(0)} MiB`;
    console.log(`${ours!.name.padEnd(25)} ${median(ours!.times).toFixed(0).padStart(6)} ms  ${spread(ours!).padEnd(22)} ${rss(ours!)} (target <= ${RSS_TARGET_KIB >> 10} MiB)`);
    for (const peer of peers) {
      if (peer.unavailable) {
        console.log(`  vs ${peer.name.padEnd(20)} not run: ${peer.unavailable}`);
        continue;
      }
      const ratio = median(ours!.times) / median(peer.times);
      // Runs of one round are next to each other in time: their ratio cancels slow drifts of the machine's load.
      const paired = median(ours!.times.map((t, i) => t / peer.times[i]!));
      console.log(
        `  vs ${peer.name.padEnd(20)} ${median(peer.times).toFixed(0).padStart(6)} ms  ${spread(peer).padEnd(22)} ${rss(peer).padEnd(18)} ratio ${ratio.toFixed(2)} (paired by round ${paired.toFixed(2)})`,
      );
    }
  }
  console.log("targets: rkt fetch <= 1.0 x tar -xzf, rkt image render <= 1.1 x tar -xf");
} finally {
  work.cleanup();
}
