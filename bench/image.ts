// Image benchmark (`bun bench/image.ts [RUNS]`, as root, after `bun build.ts`): builds a
// deterministic ~220 MB tree of a few thousand files, packs it as an ACI with the system
// tar and gzip, then times
//   import: importAci (decompress + SHA-512 + write + fsync)  vs  gzip -dc FILE | sha512sum
//   render: extractRootfs into a fresh dir + syncfs          vs  tar -xf into a fresh dir + sync -f
// Prints medians and ratios (ours/theirs); targets: import <= 1.1, render <= 1.0.
import { closeSync, linkSync, mkdirSync, openSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { libc, native } from "../src/sys";
import { tempDir } from "../test/support/harness";

const runs = Number(process.argv[2] ?? 5);

/** xorshift32: the same bytes on every run and machine. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const next = prng(20260101);
const randomBytes = (n: number): Uint8Array => {
  const words = new Uint32Array(Math.ceil(n / 4));
  for (let i = 0; i < words.length; i++) words[i] = next();
  return new Uint8Array(words.buffer, 0, n);
};

const vocabulary = "the of and a to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part".split(" ");
const textBlock = (() => {
  const words: string[] = [];
  let size = 0;
  while (size < 4 << 20) {
    const w = vocabulary[next() % vocabulary.length]!;
    words.push(next() % 13 === 0 ? `${w}\n` : w);
    size += w.length + 1;
  }
  return Buffer.from(words.join(" "));
})();
const text = (n: number): Uint8Array => {
  const start = next() % (textBlock.length - n);
  return textBlock.subarray(start, start + n);
};

function generateTree(root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const write = (path: string, data: Uint8Array) => {
    writeFileSync(path, data);
    files++;
    bytes += data.length;
  };
  for (let d = 0; d < 40; d++) {
    for (let s = 0; s < 5; s++) {
      const dir = join(root, `usr/lib/pkg${d}/sub${s}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 18; f++) write(join(dir, `small${f}.txt`), text(512 + (next() % 16384)));
      for (let f = 0; f < 4; f++) {
        const size = 16384 + (next() % 240000);
        write(join(dir, `medium${f}.bin`), f % 2 ? randomBytes(size) : text(size));
      }
    }
    symlinkSync(`pkg${d}/sub0/small0.txt`, join(root, `usr/lib/link${d}`));
    linkSync(join(root, `usr/lib/pkg${d}/sub1/small1.txt`), join(root, `usr/lib/pkg${d}/hard`));
  }
  mkdirSync(join(root, "opt/big"), { recursive: true });
  for (let f = 0; f < 16; f++) {
    const size = (2 << 20) + (next() % (6 << 20));
    write(join(root, `opt/big/blob${f}`), f % 2 ? randomBytes(size) : text(size));
  }
  return { files, bytes };
}

function sh(command: string): void {
  const p = Bun.spawnSync(["sh", "-c", command], { stdout: "ignore", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${command}: ${p.stderr.toString().trim()}`);
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function syncfsOf(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    libc.syncfs(fd, dir);
  } finally {
    closeSync(fd);
  }
}

const work = tempDir("rkt-bench-image-");
try {
  const src = join(work.path, "src");
  mkdirSync(join(src, "rootfs"), { recursive: true });
  writeFileSync(join(src, "manifest"), JSON.stringify({ acKind: "ImageManifest", acVersion: "0.6.1", name: "bench/image" }));
  const { files, bytes } = generateTree(join(src, "rootfs"));
  const tar = join(work.path, "image.tar");
  const aci = join(work.path, "image.aci");
  sh(`tar -C ${src} -cf ${tar} manifest rootfs && gzip -c ${tar} > ${aci}`);
  rmSync(src, { recursive: true });
  const tarSize = Bun.file(tar).size;
  const aciSize = Bun.file(aci).size;
  console.log(`tree: ${files} files, ${(bytes / 1e6).toFixed(0)} MB; tar ${(tarSize / 1e6).toFixed(0)} MB, aci (gzip) ${(aciSize / 1e6).toFixed(0)} MB; ${runs} runs each`);
  const tmp = join(work.path, "tmp");
  mkdirSync(tmp);
  sh("sync");

  const importOurs: number[] = [];
  const importTheirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    importTheirs.push(timed(() => sh(`gzip -dc ${aci} | sha512sum`)));
    let tarPath = "";
    importOurs.push(timed(() => (tarPath = native.importAci(aci, tmp).tarPath)));
    rmSync(tarPath);
    sh("sync");
  }

  const renderOurs: number[] = [];
  const renderTheirs: number[] = [];
  const fresh = (name: string) => {
    const dir = join(work.path, name);
    rmSync(dir, { recursive: true, force: true });
    sh("sync");
    mkdirSync(dir);
    return dir;
  };
  for (let i = 0; i < runs; i++) {
    const theirs = fresh("render-tar");
    renderTheirs.push(timed(() => sh(`tar -C ${theirs} -xf ${tar} && sync -f ${theirs}`)));
    const ours = fresh("render-ours");
    renderOurs.push(timed(() => {
      native.extractRootfs(tar, ours, { stripRootfs: false });
      syncfsOf(ours);
    }));
  }

  const row = (name: string, ours: number[], theirs: number[], peer: string, target: number) => {
    const ratio = median(ours) / median(theirs);
    console.log(
      `${name.padEnd(7)} ours ${median(ours).toFixed(0).padStart(6)} ms   ${peer.padEnd(34)} ${median(theirs).toFixed(0).padStart(6)} ms   ratio ${ratio.toFixed(2)} (target <= ${target.toFixed(1)})`,
    );
  };
  row("import", importOurs, importTheirs, "gzip -dc | sha512sum", 1.1);
  row("render", renderOurs, renderTheirs, "tar -xf + sync -f", 1.0);
} finally {
  work.cleanup();
}
