// A real Docker registry (Debian's docker-registry, distribution v2) on 127.0.0.1 with
// filesystem storage in a temp dir, filled with skopeo from an OCI image layout built here
// with the system tar: busybox as the userland, a whiteout and an opaque directory in the
// upper layer, and an image config with every field the conversion reads.
import { mkdirSync, symlinkSync, writeFileSync, copyFileSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

export interface Registry {
  host: string;
  stop: () => Promise<void>;
}

export const IMAGE_CONFIG = {
  architecture: "amd64",
  os: "linux",
  author: "Test Author <test@example.com>",
  created: "2026-01-02T03:04:05Z",
  comment: "built by hand",
  config: {
    User: "0:0",
    Env: ["PATH=/bin", "GREETING=hello from docker"],
    Entrypoint: ["/bin/sh", "-c"],
    Cmd: ["echo \"$GREETING in $(pwd)\"; ls /etc /data/old"],
    WorkingDir: "/data",
    ExposedPorts: { "6379/tcp": {}, "53/udp": {} },
    Volumes: { "/var/lib/data": {} },
  },
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** Starts the registry; `htpasswd` (a file path) turns on Basic auth. */
export async function startRegistry(dir: string, htpasswd?: string): Promise<Registry> {
  const port = await freePort();
  const auth = htpasswd ? `auth:\n  htpasswd:\n    realm: test\n    path: ${htpasswd}\n` : "";
  const config = join(dir, "registry.yml");
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "storage")}\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`);
  const proc = Bun.spawn(["docker-registry", "serve", config], { stdout: "ignore", stderr: "pipe" });
  const host = `127.0.0.1:${port}`;
  const stop = async () => {
    proc.kill();
    await proc.exited;
  };
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited: ${await new Response(proc.stderr).text()}`);
    const ready = await fetch(`http://${host}/v2/`).then((r) => r.status === 200 || r.status === 401, () => false);
    if (ready) return { host, stop };
    await Bun.sleep(50);
  }
}

function sha256(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

function tarGz(dir: string, out: string): void {
  const result = Bun.spawnSync(["tar", "--numeric-owner", "-C", dir, "-czf", out, "."]);
  if (result.exitCode !== 0) throw new Error(`tar: ${result.stderr}`);
}

/** An OCI layout at `dir/layout` holding the test image as tag `v1`. */
export function buildOciLayout(dir: string): string {
  const lower = join(dir, "lower");
  const upper = join(dir, "upper");
  for (const d of ["bin", "etc", "data/old", "data/kept"]) mkdirSync(join(lower, d), { recursive: true });
  copyFileSync("/bin/busybox", join(lower, "bin/busybox"));
  for (const tool of ["sh", "echo", "ls", "pwd", "cat"]) symlinkSync("busybox", join(lower, "bin", tool));
  writeFileSync(join(lower, "etc/gone.txt"), "deleted by a whiteout\n");
  writeFileSync(join(lower, "etc/stays.txt"), "still here\n");
  writeFileSync(join(lower, "data/old/lower-only.txt"), "hidden by the opaque dir\n");
  writeFileSync(join(lower, "data/kept/lower.txt"), "kept\n");
  for (const d of ["etc", "data/old"]) mkdirSync(join(upper, d), { recursive: true });
  writeFileSync(join(upper, "etc/.wh.gone.txt"), "");
  writeFileSync(join(upper, "data/old/.wh..wh..opq"), "");
  writeFileSync(join(upper, "data/old/upper.txt"), "from the upper layer\n");
  writeFileSync(join(upper, "etc/stays.txt"), "replaced by the upper layer\n");

  const layout = join(dir, "layout");
  const blobs = join(layout, "blobs/sha256");
  mkdirSync(blobs, { recursive: true });
  const putBlob = (bytes: Uint8Array) => {
    const hex = sha256(bytes);
    writeFileSync(join(blobs, hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const layers = [lower, upper].map((tree, n) => {
    const out = join(dir, `layer-${n}.tar.gz`);
    tarGz(tree, out);
    const gz = readFileSync(out);
    return { blob: putBlob(gz), diffId: `sha256:${sha256(gunzipSync(gz))}` };
  });
  const config = putBlob(Buffer.from(JSON.stringify({ ...IMAGE_CONFIG, rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) } })));
  const manifest = putBlob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
        layers: layers.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...l.blob })),
      }),
    ),
  );
  const imageManifest = { mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest };
  // An index for `multi`: an amd64 entry and another platform's (the same image, for brevity).
  const multi = putBlob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          { ...imageManifest, platform: { os: "linux", architecture: "s390x" } },
          { ...imageManifest, platform: { os: "linux", architecture: "amd64" } },
        ],
      }),
    ),
  );
  writeFileSync(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(layout, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { ...imageManifest, annotations: { "org.opencontainers.image.ref.name": "v1" } },
        { mediaType: "application/vnd.oci.image.index.v1+json", ...multi, annotations: { "org.opencontainers.image.ref.name": "multi" } },
      ],
    }),
  );
  return layout;
}

/**
 * Pushes the layout's `v1` (or, with `multi`, its two-platform index) to `docker://HOST/REPO:TAG`;
 * `format` v2s2 converts to a Docker schema 2 manifest.
 */
export function pushImage(layout: string, target: string, opts: { format?: "oci" | "v2s2"; creds?: string; multi?: boolean } = {}): void {
  const args = ["skopeo", "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false"];
  if (opts.format) args.push(`--format=${opts.format}`);
  if (opts.creds) args.push(`--dest-creds=${opts.creds}`);
  if (opts.multi) args.push("--all");
  const result = Bun.spawnSync([...args, `oci:${layout}:${opts.multi ? "multi" : "v1"}`, target]);
  if (result.exitCode !== 0) throw new Error(`skopeo copy: ${result.stderr}`);
}
