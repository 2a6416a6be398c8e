// Docker fetch benchmark (`bun bench/docker.ts [RUNS]`, as root, after `bun build.ts`): the
// Debian bookworm minbase tree of bench/debian-image.ts as a one-layer docker image (gzip
// layer, cached in .cache/bench/ as an OCI layout), pushed with skopeo to a local
// docker-registry on 127.0.0.1. Then, interleaved, RUNS times each, every run after `sync`
// and into fresh storage:
//   dist/rkt fetch docker://  vs  podman pull (its own --root), skopeo copy to an OCI layout
// A run's storage is moved aside, not deleted, until the end: on ext4 without a journal,
// inodes deleted in the last minute are skipped one by one when new ones are allocated,
// which would charge a contender for the previous run's deletion.
// A peer that is not installed is reported as not run. Target: rkt fetch <= 0.5 x podman pull.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pushImage, startRegistry } from "../test/e2e/docker-registry-fixture";
import { rktBinary, tempDir } from "../test/support/harness";
import { contender, report, runInterleaved } from "./contenders";
import { benchImage, cacheDir, cpuLine, installed, sh } from "./debian-image";

const runs = Number(process.argv[2] ?? 5);
const dockerArch: Record<string, string> = { x64: "amd64", arm64: "arm64" };

function sha256Hex(path: string): string {
  return sh(["sha256sum", path]).split(" ")[0]!;
}

/** The bench image as an OCI layout with one gzip layer, tagged `v1` (pushImage's tag), built on first use. */
function ociLayout(imageTar: string): string {
  const layout = join(cacheDir, "debian-bookworm-minbase.oci");
  if (existsSync(layout)) return layout;
  const build = `${layout}.build`;
  rmSync(build, { recursive: true, force: true });
  mkdirSync(join(build, "tree"), { recursive: true });
  const blobs = join(build, "layout/blobs/sha256");
  mkdirSync(blobs, { recursive: true });
  sh(["tar", "--numeric-owner", "-C", join(build, "tree"), "-xf", imageTar, "rootfs"]);
  const layer = join(build, "layer.tar");
  sh(["tar", "--numeric-owner", "-C", join(build, "tree/rootfs"), "-cf", layer, "."]);
  const diffId = sha256Hex(layer);
  sh(["gzip", layer]);
  const putBlob = (path: string) => {
    const digest = sha256Hex(path);
    renameSync(path, join(blobs, digest));
    return { digest: `sha256:${digest}`, size: Bun.file(join(blobs, digest)).size };
  };
  const putJson = (value: unknown) => {
    const path = join(build, "blob.json");
    writeFileSync(path, JSON.stringify(value));
    return putBlob(path);
  };
  const layerBlob = putBlob(`${layer}.gz`);
  const config = putJson({
    architecture: dockerArch[process.arch] ?? process.arch,
    os: "linux",
    created: "2026-01-01T00:00:00Z",
    config: { Cmd: ["/bin/bash"], Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] },
    rootfs: { type: "layers", diff_ids: [`sha256:${diffId}`] },
  });
  const manifest = putJson({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...layerBlob }],
  });
  writeFileSync(join(build, "layout/oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(build, "layout/index.json"),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest, annotations: { "org.opencontainers.image.ref.name": "v1" } }] }),
  );
  renameSync(join(build, "layout"), layout);
  rmSync(build, { recursive: true, force: true });
  return layout;
}

/** The size of the layout's one layer blob. */
function layerSize(layout: string): number {
  const json = (path: string) => JSON.parse(readFileSync(path, "utf8"));
  const manifest = json(join(layout, "blobs/sha256", json(join(layout, "index.json")).manifests[0].digest.slice("sha256:".length)));
  return manifest.layers[0].size;
}

if (!existsSync(rktBinary)) throw new Error(`${rktBinary} is missing: run bun build.ts first`);
if (!existsSync("/usr/bin/time")) throw new Error("bench: /usr/bin/time is missing: apt-get install time");
for (const tool of ["docker-registry", "skopeo"]) {
  if (!installed(tool)) throw new Error(`bench: ${tool} is not installed: apt-get install ${tool}`);
}

const layout = ociLayout(benchImage().tar);
const layerBytes = layerSize(layout);
console.log(cpuLine());
console.log(`image: Debian bookworm minbase, one gzip layer of ${(layerBytes / 1e6).toFixed(0)} MB, from a docker-registry on 127.0.0.1; ${runs} runs each, interleaved, each after sync`);

const work = tempDir("rkt-bench-docker-");
// podman's runroot path must be short (a socket path lives in it).
const podmanDir = join(tmpdir(), `rkt-bench-podman-${crypto.randomUUID().slice(0, 8)}`);
let retired = 0;
/** Moves `path` (if there) next to itself as `NAME.old-N`, for removal after the runs. */
const retire = (path: string) => {
  if (existsSync(path)) renameSync(path, `${path}.old-${retired++}`);
};
/** Removes podman's storage of every run (podman resets each first). */
const removePodmanStorage = () => {
  for (const name of readdirSync(tmpdir())) {
    const dir = join(tmpdir(), name);
    if (dir !== podmanDir && !dir.startsWith(`${podmanDir}.old-`)) continue;
    Bun.spawnSync(["podman", "--root", join(dir, "root"), "--runroot", join(dir, "run"), "system", "reset", "-f"], { stdout: "ignore", stderr: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  }
};
const registry = await startRegistry(work.path);
try {
  const ref = `${registry.host}/bench/debian:v1`;
  pushImage(layout, `docker://${ref}`);
  const store = join(work.path, "store");
  const skopeoTarget = join(work.path, "skopeo-layout");
  const contenders = [
    contender("fetch", "rkt fetch docker://", () => {
      retire(store);
      return [rktBinary, `--dir=${store}`, "--insecure-skip-verify", "fetch", `docker://${ref}`];
    }),
    contender(
      "fetch",
      "podman pull",
      () => {
        retire(podmanDir);
        return ["podman", "--root", join(podmanDir, "root"), "--runroot", join(podmanDir, "run"), "pull", "-q", "--tls-verify=false", `docker://${ref}`];
      },
      installed("podman") ? undefined : "podman is not installed (apt-get install podman)",
    ),
    contender("fetch", "skopeo copy", () => {
      retire(skopeoTarget);
      return ["skopeo", "--insecure-policy", "copy", "-q", "--src-tls-verify=false", `docker://${ref}`, `oci:${skopeoTarget}:v1`];
    }),
  ];
  runInterleaved(contenders, runs, work.path);
  report(contenders, "fetch");
  console.log("target: rkt fetch docker:// <= 0.5 x podman pull");
} finally {
  await registry.stop();
  removePodmanStorage();
  work.cleanup();
}
