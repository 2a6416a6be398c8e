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
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { rktBinary, tempDir } from "../test/support/harness";
import { contender, report, runInterleaved } from "./contenders";
import { benchImage, cpuLine, installed, sh } from "./debian-image";

const runs = Number(process.argv[2] ?? 5);
const RSS_TARGET_KIB = 64 << 10;

if (!existsSync(rktBinary)) throw new Error(`${rktBinary} is missing: run bun build.ts first`);
if (!existsSync("/usr/bin/time")) throw new Error("bench: /usr/bin/time is missing: apt-get install time");

const { tar, aci } = benchImage();
const entries = sh(["tar", "-tf", tar]).trim().split("\n").length;
console.log(cpuLine());
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

  const shell = (command: string) => ["sh", "-c", command];
  const contenders = [
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
  runInterleaved(contenders, runs, work.path);
  rmSync(target, { recursive: true, force: true });
  report(contenders, "fetch", `(target <= ${RSS_TARGET_KIB >> 10} MiB)`);
  report(contenders, "render");
  console.log("targets: rkt fetch <= 1.0 x tar -xzf, rkt image render <= 1.1 x tar -xf");
} finally {
  work.cleanup();
}
