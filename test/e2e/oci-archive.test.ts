// `oci:DIR[:REF]` and `docker-archive:FILE[:REF]` images and `rkt image export --format=oci`,
// round-tripped through Debian's skopeo and podman (pull and save only) with no network: an ACI exported as an OCI layout,
// inspected and copied by skopeo into another layout and into a docker archive, fetched and
// run back; hostile layouts and archives refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rkt, tempDataDir, tempDir } from "../support/harness";
import { buildOciLayout } from "./docker-registry-fixture";
import { busyboxImage, collectPods, shellApp } from "./run-fixtures";

const work = tempDir("rkt-oci-");
const data = tempDataDir("rkt-oci-data-");
const at = (name: string) => join(work.path, name);
let imageId = "";

function skopeo(args: string[]): string {
  const result = Bun.spawnSync(["skopeo", "--insecure-policy", ...args]);
  if (result.exitCode !== 0) throw new Error(`skopeo ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.toString();
}

function fetchId(ref: string, dir = data.path): string {
  const result = rkt(dir, ["--insecure-skip-verify", "fetch", ref]);
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  return result.stdout.trim();
}

function expectNameAndVersion(id: string, name: string, version: string): void {
  const manifest = JSON.parse(rkt(data.path, ["image", "cat-manifest", id]).stdout);
  expect(manifest.name).toBe(name);
  expect(manifest.labels).toContainEqual({ name: "version", value: version });
}

function refused(ref: string): string {
  const store = tempDir("rkt-oci-refused-");
  try {
    const result = rkt(store.path, ["--insecure-skip-verify", "fetch", ref]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(rkt(store.path, ["image", "list", "--no-legend"]).stdout.trim()).toBe("");
    return result.stderr;
  } finally {
    store.cleanup();
  }
}

beforeAll(() => {
  const aci = busyboxImage(work.path, "example.com/oci-hello", shellApp('echo "$GREETING from $(pwd) as $(id -u)"', { environment: [{ name: "GREETING", value: "hello" }], workingDirectory: "/srv" }), {
    manifest: {
      labels: [
        { name: "version", value: "1.0" },
        { name: "os", value: "linux" },
        { name: "arch", value: "amd64" },
      ],
    },
    files: { "srv/.keep": "" },
  });
  imageId = fetchId(aci);
  const exported = rkt(data.path, ["image", "export", "--format=oci", imageId, at("L1")]);
  expect(exported).toMatchObject({ exitCode: 0, stderr: "" });
});

afterAll(() => {
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

describe("rkt image export --format=oci", () => {
  test("writes an OCI layout that skopeo reads, named NAME:VERSION, with the app's config", () => {
    const inspected = JSON.parse(skopeo(["inspect", `oci:${at("L1")}`]));
    expect(inspected).toMatchObject({ Architecture: "amd64", Os: "linux", Env: ["GREETING=hello"] });
    expect(inspected.Layers).toHaveLength(1);
    const config = JSON.parse(skopeo(["inspect", "--config", `oci:${at("L1")}:example.com/oci-hello:1.0`]));
    expect(config.config).toMatchObject({ User: "0:0", WorkingDir: "/srv", Entrypoint: ["/bin/sh", "-c", 'echo "$GREETING from $(pwd) as $(id -u)"', "sh"] });
  });

  test("--ref names the image in the layout; a name outside the OCI grammar is refused", () => {
    expect(rkt(data.path, ["image", "export", "--format=oci", "--ref=mine:v2", imageId, at("named")]).exitCode).toBe(0);
    expect(JSON.parse(skopeo(["inspect", `oci:${at("named")}:mine:v2`])).Env).toEqual(["GREETING=hello"]);
    const bad = rkt(data.path, ["image", "export", "--format=oci", "--ref=no spaces", imageId, at("badly-named")]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('"no spaces" is not a valid OCI reference name');
    expect(existsSync(at("badly-named"))).toBe(false);
  });

  test("refuses a non-empty output directory and leaves it as it was", () => {
    const busy = at("busy");
    mkdirSync(busy);
    writeFileSync(join(busy, "mine"), "keep me");
    const result = rkt(data.path, ["image", "export", "--format=oci", imageId, busy]);
    expect(result).toMatchObject({ exitCode: 1, stderr: `image export: output directory ${busy} is not empty (give a new or an empty directory)\n` });
    expect(readdirSync(busy)).toEqual(["mine"]);
    expect(readdirSync(work.path).filter((name) => name.includes(".tmp-"))).toEqual([]);
  });

  test("the default format is still the stored ACI, byte for byte", () => {
    const out = at("plain.aci");
    expect(rkt(data.path, ["image", "export", imageId, out]).exitCode).toBe(0);
    const hash = new Bun.CryptoHasher("sha512").update(readFileSync(out)).digest("hex");
    expect(`sha512-${hash}`.startsWith(imageId)).toBe(true);
  });
});

describe("oci: and docker-archive: images", () => {
  beforeAll(() => {
    skopeo(["copy", `oci:${at("L1")}`, `oci:${at("L2")}:tag`]);
    skopeo(["copy", `oci:${at("L1")}`, `docker-archive:${at("A.tar")}:repo/x:tag`]);
  });

  test("an OCI layout copied by skopeo fetches and runs the app", () => {
    const id = fetchId(`oci:${at("L2")}:tag`);
    expectNameAndVersion(id, "localhost/l2", "tag");
    const run = rkt(data.path, ["--insecure-skip-verify", "run", "--mds-register=false", `oci:${at("L2")}:tag`]);
    expect(run.stdout).toContain("hello from /srv as 0");
    expect(run.exitCode).toBe(0);
  });

  test("a docker archive written by skopeo fetches and runs the app, named by its RepoTag", () => {
    const id = fetchId(`docker-archive:${at("A.tar")}`);
    expectNameAndVersion(id, "repo/x", "tag");
    expect(fetchId(`docker-archive:${at("A.tar")}:repo/x:tag`)).toBe(id);
    const run = rkt(data.path, ["--insecure-skip-verify", "run", "--mds-register=false", `docker-archive:${at("A.tar")}`]);
    expect(run.stdout).toContain("hello from /srv as 0");
    expect(run.exitCode).toBe(0);
  });

  test("the same image under the same name from a layout and from an archive is one image ID", () => {
    skopeo(["copy", `oci:${at("L1")}`, `oci:${at("L3")}:docker.io/repo/x:tag`]);
    expect(fetchId(`oci:${at("L3")}:docker.io/repo/x:tag`)).toBe(fetchId(`docker-archive:${at("A.tar")}`));
  });

  test("a docker archive in docker 25's layout (blobs/sha256, gzip layers), and a gzipped archive, give the same images", () => {
    const dir = at("docker25");
    cpSync(join(at("L1"), "blobs"), join(dir, "blobs"), { recursive: true });
    const index = JSON.parse(readFileSync(join(at("L1"), "index.json"), "utf8"));
    const blob = (digest: string) => `blobs/sha256/${digest.slice("sha256:".length)}`;
    const manifest = JSON.parse(readFileSync(join(at("L1"), blob(index.manifests[0].digest)), "utf8"));
    const entry = { Config: blob(manifest.config.digest), RepoTags: ["example.com/oci-hello:1.0"], Layers: manifest.layers.map((l: { digest: string }) => blob(l.digest)) };
    writeFileSync(join(dir, "manifest.json"), JSON.stringify([entry]));
    expect(Bun.spawnSync(["tar", "-cf", at("docker25.tar"), "-C", dir, "manifest.json", "blobs"]).exitCode).toBe(0);
    expect(fetchId(`docker-archive:${at("docker25.tar")}`)).toBe(fetchId(`oci:${at("L1")}`));
    expect(Bun.spawnSync(["sh", "-c", `gzip -c '${at("A.tar")}' > '${at("A.tar.gz")}'`]).exitCode).toBe(0);
    expect(fetchId(`docker-archive:${at("A.tar.gz")}`)).toBe(fetchId(`docker-archive:${at("A.tar")}`));
  });

  test("the exported layout itself fetches back under the image's name and version", () => {
    const id = fetchId(`oci:${at("L1")}`);
    expectNameAndVersion(id, "example.com/oci-hello", "1.0");
  });

  test("an image index in a layout resolves to this host's platform; whiteouts squash as from a registry", () => {
    const layout = buildOciLayout(at("fixture"));
    const id = fetchId(`oci:${layout}:multi`);
    const out = at("rendered");
    expect(rkt(data.path, ["image", "render", "--rootfs-only", id, out]).exitCode).toBe(0);
    expect(existsSync(join(out, "etc/gone.txt"))).toBe(false);
    expect(readFileSync(join(out, "etc/stays.txt"), "utf8")).toBe("replaced by the upper layer\n");
  });

  test("a REF not in the layout or the archive is refused, naming those there", () => {
    expect(refused(`oci:${at("L2")}:nope`)).toContain(`no image "nope" in the image layout ${at("L2")} (it has "tag")`);
    expect(refused(`docker-archive:${at("A.tar")}:repo/y:tag`)).toContain(`no image "repo/y:tag" in ${at("A.tar")} (it has "docker.io/repo/x:tag")`);
  });

  test("refuses without --insecure-skip-verify: they are unsigned", () => {
    const result = rkt(data.path, ["fetch", `oci:${at("L2")}:tag`]);
    expect(result).toMatchObject({ exitCode: 1, stderr: "fetch: signature verification for oci images is not supported (try --insecure-skip-verify)\n" });
  });
});

describe("podman", () => {
  test("pulls the exported layout; its docker-archive and oci-dir saves convert to one image that runs", () => {
    // podman names an image pulled from oci:DIR after DIR, which must then be lowercase; its runroot path must be short.
    const root = join(tmpdir(), `rkt-oci-podman-${crypto.randomUUID().slice(0, 8)}`);
    const podman = (args: string[]) => {
      const storage = [`--root=${root}/storage`, `--runroot=${root}/run`, `--tmpdir=${root}/tmp`, "--storage-driver=vfs", "--events-backend=none", "--cgroup-manager=cgroupfs"];
      const result = Bun.spawnSync(["podman", ...storage, ...args]);
      if (result.exitCode !== 0) throw new Error(`podman ${args.join(" ")}: ${result.stderr}`);
    };
    mkdirSync(root);
    try {
      cpSync(at("L1"), join(root, "layout"), { recursive: true });
      podman(["pull", "-q", `oci:${root}/layout`]);
      const name = `localhost${root}/layout:latest`;
      podman(["save", "-q", "--format=docker-archive", "-o", `${root}/saved.tar`, name]);
      podman(["save", "-q", "--format=oci-dir", "-o", `${root}/saved-oci`, name]);
      const id = fetchId(`docker-archive:${root}/saved.tar`);
      expect(fetchId(`oci:${root}/saved-oci`)).toBe(id);
      const run = rkt(data.path, ["--insecure-skip-verify", "run", "--mds-register=false", id]);
      expect(run.stdout).toContain("hello from /srv as 0");
      expect(run.exitCode).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("hostile layouts and archives", () => {
  test("a layout blob whose content does not match its digest is refused", () => {
    const bad = at("bad-layout");
    cpSync(at("L2"), bad, { recursive: true });
    const blobs = join(bad, "blobs/sha256");
    const layer = readdirSync(blobs).map((name) => join(blobs, name)).sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
    const bytes = readFileSync(layer);
    bytes[bytes.length - 100]! ^= 0xff;
    writeFileSync(layer, bytes);
    expect(refused(`oci:${bad}:tag`)).toContain("digest mismatch for sha256:");
  });

  test("a layout reaches blobs only by a well-formed digest, not by a path", () => {
    const escaping = at("escaping-layout");
    cpSync(at("L2"), escaping, { recursive: true });
    const index = JSON.parse(readFileSync(join(escaping, "index.json"), "utf8"));
    writeFileSync(join(escaping, "index.json"), JSON.stringify({ ...index, manifests: [{ ...index.manifests[0], digest: "sha256:../../../../etc/passwd" }] }));
    expect(refused(`oci:${escaping}:tag`)).toContain('unsupported digest "sha256:../../../../etc/passwd"');
  });

  test("a layout blob that is a symlink is refused, even to the right content", () => {
    const linked = at("linked-layout");
    cpSync(at("L2"), linked, { recursive: true });
    const manifestDigest: string = JSON.parse(readFileSync(join(linked, "index.json"), "utf8")).manifests[0].digest;
    const blob = join(linked, "blobs/sha256", manifestDigest.slice("sha256:".length));
    cpSync(blob, at("manifest-elsewhere"));
    rmSync(blob);
    symlinkSync(at("manifest-elsewhere"), blob);
    expect(refused(`oci:${linked}:tag`)).toContain("is a symlink, refused");
  });

  test("a docker archive naming a file outside itself is refused", () => {
    const dir = at("escaping");
    mkdirSync(dir);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify([{ Config: "../../etc/passwd", RepoTags: ["x:y"], Layers: [] }]));
    const archive = at("escaping.tar");
    expect(Bun.spawnSync(["tar", "-cf", archive, "-C", dir, "manifest.json"]).exitCode).toBe(0);
    expect(refused(`docker-archive:${archive}`)).toContain("which is outside the archive (refused)");
  });

  test("a docker archive layer that does not hash to its diff_id is refused", () => {
    const dir = at("tampered");
    mkdirSync(dir);
    expect(Bun.spawnSync(["tar", "-xf", at("A.tar"), "-C", dir]).exitCode).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    const layer = join(dir, manifest[0].Layers[0]);
    const bytes = readFileSync(layer);
    bytes[600]! ^= 0xff;
    writeFileSync(layer, bytes);
    const archive = at("tampered.tar");
    expect(Bun.spawnSync(["tar", "-cf", archive, "-C", dir, "."]).exitCode).toBe(0);
    expect(refused(`docker-archive:${archive}`)).toContain("does not match its digest");
  });
});
