// docker:// images through dist/rkt against a real registry on loopback (rkt-cli.md §4).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rkt, rktBinary, tempDataDir, tempDir } from "../support/harness";
import { buildOciLayout, pushImage, startRegistry, type Registry } from "./docker-registry-fixture";
import { collectPods } from "./run-fixtures";

const work = tempDir("rkt-docker-");
const data = tempDataDir("rkt-docker-data-");
let registry: Registry | undefined;
let authRegistry: Registry | undefined;
let image = "";
let layout = "";

beforeAll(async () => {
  layout = buildOciLayout(join(work.path, "image"));
  registry = await startRegistry(mkdirDir(join(work.path, "registry")));
  image = `docker://${registry.host}/test/app:v1`;
  pushImage(layout, image);
  pushImage(layout, `docker://${registry.host}/test/app:schema2`, { format: "v2s2" });
  pushImage(layout, `docker://${registry.host}/test/app:multi`, { multi: true });
  const htpasswd = join(work.path, "htpasswd");
  const made = Bun.spawnSync(["htpasswd", "-Bbc", htpasswd, "alice", "s3cret"]);
  if (made.exitCode !== 0) throw new Error(`htpasswd: ${made.stderr}`);
  authRegistry = await startRegistry(mkdirDir(join(work.path, "auth-registry")), htpasswd);
  pushImage(layout, `docker://${authRegistry.host}/private/app:v1`, { creds: "alice:s3cret" });
});

afterAll(async () => {
  await registry?.stop();
  await authRegistry?.stop();
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

function mkdirDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

function fetchId(ref: string, dir = data.path): string {
  const result = rkt(dir, ["--insecure-skip-verify", "fetch", ref]);
  expect(result.stderr).not.toContain("error");
  expect(result.exitCode).toBe(0);
  return result.stdout.trim();
}

describe("docker:// fetch", () => {
  test("converts an OCI image into an ACI whose manifest follows the conversion rules", () => {
    const id = fetchId(image);
    expect(id).toMatch(/^sha512-[0-9a-f]{32}$/);
    const manifest = JSON.parse(rkt(data.path, ["image", "cat-manifest", id]).stdout);
    expect(manifest.name).toBe(`${registry!.host.replace(":", "-")}/test/app`);
    expect(manifest.labels).toEqual([
      { name: "version", value: "v1" },
      { name: "os", value: "linux" },
      { name: "arch", value: "amd64" },
    ]);
    expect(manifest.app).toEqual({
      exec: ["/bin/sh", "-c", 'echo "$GREETING in $(pwd)"; ls /etc /data/old'],
      user: "0",
      group: "0",
      environment: [
        { name: "PATH", value: "/bin" },
        { name: "GREETING", value: "hello from docker" },
      ],
      workingDirectory: "/data",
      mountPoints: [{ name: "volume-var-lib-data", path: "/var/lib/data" }],
      ports: [
        { name: "6379-tcp", protocol: "tcp", port: 6379 },
        { name: "53-udp", protocol: "udp", port: 53 },
      ],
    });
    const annotations = Object.fromEntries(manifest.annotations.map((a: { name: string; value: string }) => [a.name, a.value]));
    expect(annotations).toMatchObject({ authors: "Test Author <test@example.com>", created: "2026-01-02T03:04:05Z", "docker-comment": "built by hand", "appc.io/docker/tag": "v1" });
  });

  test("squashes the layers: whiteouts delete, opaque dirs hide the lower layer, upper files win", () => {
    const id = fetchId(image);
    const out = join(work.path, "rendered");
    expect(rkt(data.path, ["image", "render", "--rootfs-only", id, out]).exitCode).toBe(0);
    expect(existsSync(join(out, "etc/gone.txt"))).toBe(false);
    expect(readFileSync(join(out, "etc/stays.txt"), "utf8")).toBe("replaced by the upper layer\n");
    expect(existsSync(join(out, "data/old/lower-only.txt"))).toBe(false);
    expect(readFileSync(join(out, "data/old/upper.txt"), "utf8")).toBe("from the upper layer\n");
    expect(readFileSync(join(out, "data/kept/lower.txt"), "utf8")).toBe("kept\n");
    expect(existsSync(join(out, "etc/.wh.gone.txt")) || existsSync(join(out, "data/old/.wh..wh..opq"))).toBe(false);
  });

  test("a Docker schema 2 manifest converts to the same rootfs", () => {
    const id = fetchId(`docker://${registry!.host}/test/app:schema2`);
    const manifest = JSON.parse(rkt(data.path, ["image", "cat-manifest", id]).stdout);
    expect(manifest.labels[0]).toEqual({ name: "version", value: "schema2" });
  });

  test("an image index is resolved to the host platform's image manifest, fetched and checked by digest", () => {
    const id = fetchId(`docker://${registry!.host}/test/app:multi`);
    const manifest = JSON.parse(rkt(data.path, ["image", "cat-manifest", id]).stdout);
    expect(manifest.labels).toContainEqual({ name: "version", value: "multi" });
    expect(manifest.app.exec[0]).toBe("/bin/sh");
  });

  test("the same image digest gives one image: a second fetch and a run reuse the stored conversion, another store converts it to the same ID", () => {
    const stores = [tempDataDir("rkt-docker-once-"), tempDataDir("rkt-docker-twice-")];
    try {
      const [once, twice] = stores.map((store) => store.path) as [string, string];
      const first = fetchId(image, once);
      expect(fetchId(image, once)).toBe(first);
      const volume = mkdirDir(join(work.path, "volume"));
      const run = rkt(once, ["--insecure-skip-verify", "run", "--mds-register=false", `--volume=volume-var-lib-data,kind=host,source=${volume}`, image]);
      expect(run.exitCode).toBe(0);
      const listed = rkt(once, ["image", "list", "--no-legend", "--fields=key,appname"]).stdout.trim().split("\n");
      expect(listed.filter((line) => line.includes("/test/app:v1"))).toEqual([expect.stringContaining(first)]);
      expect(fetchId(image, twice)).toBe(first);
    } finally {
      for (const store of stores) {
        collectPods(store.path);
        store.cleanup();
      }
    }
  });

  test("a tag is resolved to its digest on every fetch: the same digest reuses the stored conversion, a moved tag is converted again", () => {
    const store = tempDataDir("rkt-docker-moving-");
    const moving = `docker://${registry!.host}/test/moving:latest`;
    const importTime = (id: string) => {
      const db = new Database(join(store.path, "cas/db/store.sqlite"), { readonly: true });
      try {
        return db.query<{ importtime: number }, [string]>("SELECT importtime FROM aciinfo WHERE substr(blobkey, 1, length(?1)) = ?1").get(id)!.importtime;
      } finally {
        db.close();
      }
    };
    try {
      pushImage(layout, moving);
      const id = fetchId(moving, store.path);
      const converted = importTime(id);
      expect(fetchId(moving, store.path)).toBe(id);
      expect(importTime(id)).toBe(converted);
      // The same content under a Docker schema 2 manifest: another digest, the same ACI.
      pushImage(layout, moving, { format: "v2s2" });
      expect(fetchId(moving, store.path)).toBe(id);
      expect(importTime(id)).toBeGreaterThan(converted);
    } finally {
      store.cleanup();
    }
  });

  test("on a terminal, each layer's download shows the same progress line as an image's", () => {
    const fresh = tempDataDir("rkt-docker-progress-");
    try {
      const command = `'${rktBinary}' --dir='${fresh.path}' --insecure-skip-verify fetch '${image}'`;
      const terminal = Bun.spawnSync(["script", "-qec", command, "/dev/null"], { stdin: "ignore" });
      expect(terminal.exitCode).toBe(0);
      expect(terminal.stdout.toString()).toMatch(/Downloading layer sha256:[0-9a-f]{64}: \[=+\] [\d.]+ MB\/[\d.]+ MB( {2}[\d.]+ MB\/s)?\x1b\[K\r?\n/);
    } finally {
      fresh.cleanup();
    }
  });

  test("refuses without --insecure-skip-verify", () => {
    const result = rkt(data.path, ["fetch", image]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("signature verification for docker images is not supported (try --insecure-skip-verify)");
  });

  test("an unknown tag is a one-line error and leaves the store unchanged", () => {
    const fresh = tempDir("rkt-docker-empty-");
    try {
      const result = rkt(fresh.path, ["--insecure-skip-verify", "fetch", `docker://${registry!.host}/test/app:nope`]);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toContain("test/app:nope");
      expect(result.stderr).toContain("not found");
      expect(rkt(fresh.path, ["image", "list", "--no-legend"]).stdout.trim()).toBe("");
    } finally {
      fresh.cleanup();
    }
  });

  test("Basic credentials from a dockerAuth entry in auth.d open a protected registry", () => {
    const ref = `docker://${authRegistry!.host}/private/app:v1`;
    const config = join(work.path, "local-config");
    const denied = rkt(data.path, [`--local-config=${config}`, "--insecure-skip-verify", "fetch", ref]);
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toContain("requires credentials");
    mkdirSync(join(config, "auth.d"), { recursive: true });
    writeFileSync(join(config, "auth.d/docker.json"), JSON.stringify({ rktKind: "dockerAuth", rktVersion: "v1", registries: [authRegistry!.host], credentials: { user: "alice", password: "s3cret" } }));
    const allowed = rkt(data.path, [`--local-config=${config}`, "--insecure-skip-verify", "fetch", ref]);
    expect(allowed.stderr).toBe("");
    expect(allowed.stdout.trim()).toMatch(/^sha512-/);
  });
});

describe("docker:// run", () => {
  test("runs the entrypoint with the image's environment, working directory and squashed rootfs", () => {
    const volume = mkdirDir(join(work.path, "volume"));
    const result = rkt(data.path, ["--insecure-skip-verify", "run", "--mds-register=false", `--volume=volume-var-lib-data,kind=host,source=${volume}`, image]);
    expect(result.stdout).toContain("hello from docker in /data");
    expect(result.stdout).toContain("stays.txt");
    expect(result.stdout).not.toContain("gone.txt");
    expect(result.stdout).toContain("upper.txt");
    expect(result.stdout).not.toContain("lower-only.txt");
    expect(result.exitCode).toBe(0);
  });

  test("--local runs the stored conversion; a docker image never fetched is not in the local store", () => {
    const volume = mkdirDir(join(work.path, "volume"));
    fetchId(image);
    const local = rkt(data.path, ["--insecure-skip-verify", "run", "--local", "--mds-register=false", `--volume=volume-var-lib-data,kind=host,source=${volume}`, image]);
    expect(local.stdout).toContain("hello from docker in /data");
    expect(local.exitCode).toBe(0);
    const missing = rkt(data.path, ["--insecure-skip-verify", "run", "--local", "--mds-register=false", `docker://${registry!.host}/test/other:v1`]);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain(`url docker://${registry!.host}/test/other:v1 not available in local store`);
  });
});

describe("a registry that sends other bytes for a layer than its digest names", () => {
  // Its own registry: blobs are shared by every repository of one storage.
  let tampering: Registry | undefined;
  afterAll(async () => {
    await tampering?.stop();
  });

  test("the layer imported while it downloads is thrown away: the fetch fails with one line and stores nothing", async () => {
    const storage = mkdirDir(join(work.path, "tampering-registry"));
    tampering = await startRegistry(storage);
    const ref = `docker://${tampering.host}/test/app:v1`;
    pushImage(layout, ref);
    // The bottom layer (the largest) swapped, at the same size, for a valid gzip tar that
    // plants a file, then zeros that gunzip ignores: the import reads all of it and succeeds
    // before the download finds the digest wrong.
    const indexJson = JSON.parse(readFileSync(join(layout, "index.json"), "utf8"));
    const manifest = JSON.parse(readFileSync(join(layout, "blobs/sha256", indexJson.manifests[0].digest.slice(7)), "utf8"));
    const bottom = manifest.layers[0] as { digest: string; size: number };
    const hex = bottom.digest.slice("sha256:".length);
    const planted = join(work.path, "planted");
    mkdirDir(join(planted, "bin"));
    writeFileSync(join(planted, "bin", "planted"), "not the image's\n");
    const plantedLayer = join(work.path, "planted.tar.gz");
    expect(Bun.spawnSync(["tar", "--numeric-owner", "-C", planted, "-czf", plantedLayer, "."]).exitCode).toBe(0);
    const swapped = new Uint8Array(bottom.size);
    swapped.set(readFileSync(plantedLayer));
    writeFileSync(join(storage, "storage/docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data"), swapped);

    const store = tempDataDir("rkt-docker-tampered-");
    try {
      const result = rkt(store.path, ["--insecure-skip-verify", "fetch", ref]);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr.trim()).toMatch(/^fetch: .*the registry sent other content.*$/);
      expect(rkt(store.path, ["image", "list", "--no-legend"]).stdout.trim()).toBe("");
      const cas = join(store.path, "cas");
      for (const dir of ["tree", "tmp"]) expect(existsSync(join(cas, dir)) ? readdirSync(join(cas, dir)) : []).toEqual([]);
    } finally {
      store.cleanup();
    }
  });
});
