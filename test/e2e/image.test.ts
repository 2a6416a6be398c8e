import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { imageManifest, makeTestAci, rkt, rktBinary, tempDir } from "../support/harness";
import { holdLock } from "../unit/pod/lifecycle-fixtures";

let work: { path: string; cleanup: () => void };
let dataDir: string;
let appKey: string;
let baseKey: string;

function fetchKey(aci: string): string {
  const r = rkt(dataDir, ["--insecure-skip-verify", "fetch", aci]);
  if (r.exitCode !== 0) throw new Error(`fetch failed: ${r.stderr}`);
  const short = r.stdout.trim();
  return rkt(dataDir, ["image", "list", "--no-legend", "--fields=key"]).stdout.split("\n").map((l) => l.trim()).find((k) => k.startsWith(short))!;
}

beforeAll(() => {
  work = tempDir("rkt-e2e-image-");
  dataDir = join(work.path, "data");
  const base = makeTestAci(work.path, "base.aci", {
    manifest: imageManifest("example.com/base", { labels: [{ name: "version", value: "1.0" }, { name: "os", value: "linux" }] }),
    files: { "etc/base": "base", "etc/shared": "from base" },
  });
  baseKey = fetchKey(base);
  const app = makeTestAci(work.path, "app.aci", {
    manifest: imageManifest("example.com/app", {
      app: { exec: ["/bin/app"], user: "0", group: "0" },
      dependencies: [{ imageName: "example.com/base" }],
    }),
    files: { "bin/app": { content: "#!/bin/sh\n", mode: 0o755 }, "etc/shared": "from app" },
  });
  appKey = fetchKey(app);
});
afterAll(() => work.cleanup());

describe("rkt image list", () => {
  test("shows a legend and one tab-aligned row per image, oldest first", () => {
    const r = rkt(dataDir, ["image", "list"]);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split("\n");
    // The IMPORTTIME column is 32 or 40 wide, depending on the milliseconds shown.
    expect(lines[0]).toMatch(/^KEY\t{9}APPNAME\t{3}IMPORTTIME\t{3,4}LATEST\t$/);
    const time = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,3})? [+-]\d{4} \S+/;
    expect(lines[1]).toMatch(new RegExp(`^${baseKey}\texample\\.com/base:1\\.0\t${time.source}\t+false\t$`));
    expect(lines[2]).toMatch(new RegExp(`^${appKey}\texample\\.com/app\t\t${time.source}\t+false\t$`));
    expect(lines.slice(3)).toEqual([""]);
  });

  test("--no-legend, --fields in any case, --sort and --order", () => {
    const r = rkt(dataDir, ["image", "list", "--no-legend", "--fields=AppName,latest", "--sort=appname", "--order=desc"]);
    expect(r.stdout).toBe("example.com/base:1.0\tfalse\t\nexample.com/app\t\tfalse\t\n");
  });

  test("unknown or repeated fields are refused", () => {
    expect(rkt(dataDir, ["image", "list", "--fields=key,size"]).stderr).toContain('unknown field "size"');
    expect(rkt(dataDir, ["image", "list", "--fields=key,KEY"]).stderr).toContain('field "KEY" given more than once');
    expect(rkt(dataDir, ["image", "list", "--sort=key"]).exitCode).not.toBe(0);
  });

  test("the hidden alias `images` lists too", () => {
    expect(rkt(dataDir, ["images", "--no-legend", "--fields=key"]).stdout).toBe(`${baseKey}\t\n${appKey}\t\n`);
  });
});

describe("rkt image cat-manifest", () => {
  test("prints the manifest on one line, or indented with tabs", () => {
    const plain = rkt(dataDir, ["image", "cat-manifest", "example.com/app"]);
    expect(plain.stdout.endsWith("}\n")).toBe(true);
    expect(plain.stdout.trim().includes("\n")).toBe(false);
    expect(JSON.parse(plain.stdout).name).toBe("example.com/app");
    const pretty = rkt(dataDir, ["image", "cat-manifest", "--pretty-print", appKey.slice(0, 20)]);
    expect(pretty.stdout).toContain('\n\t"name": "example.com/app",\n');
  });

  test("an image that is not in the store", () => {
    const r = rkt(dataDir, ["image", "cat-manifest", "example.com/none"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`image cat-manifest: cannot find image: cannot find aci satisfying name: "example.com/none" in the local store (see 'rkt image list')\n`);
  });
});

describe("rkt cat-manifest", () => {
  test("an image, as v0.8.0's alias of image cat-manifest; a full pod UUID, the pod's manifest (rkt 1.x)", () => {
    expect(JSON.parse(rkt(dataDir, ["cat-manifest", "example.com/app"]).stdout).name).toBe("example.com/app");
    const uuid = "6c0e07a1-1d1c-4a4c-9a35-1d6f4c1c5c2b";
    const pod = join(dataDir, "pods/prepared", uuid);
    mkdirSync(pod, { recursive: true });
    const manifest = { acVersion: "0.6.1", acKind: "PodManifest", apps: [{ name: "app", image: { id: appKey } }] };
    writeFileSync(join(pod, "pod"), JSON.stringify(manifest));
    try {
      const r = rkt(dataDir, ["cat-manifest", uuid]);
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject(manifest);
      expect(rkt(dataDir, ["cat-manifest", "--pretty-print", uuid]).stdout).toContain('\n\t"acKind": "PodManifest",\n');
      const none = rkt(dataDir, ["cat-manifest", "00000000-0000-0000-0000-000000000000"]);
      expect(none).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('no matches found for "00000000-0000-0000-0000-000000000000"') });
    } finally {
      Bun.spawnSync(["rm", "-rf", join(dataDir, "pods")]);
    }
  });
});

describe("rkt image export", () => {
  test("writes the uncompressed tar, whose sha512 starts with the key", () => {
    const out = join(work.path, "exported.aci");
    expect(rkt(dataDir, ["image", "export", "example.com/app", out]).exitCode).toBe(0);
    const digest = createHash("sha512").update(readFileSync(out)).digest("hex");
    expect(`sha512-${digest}`.startsWith(appKey)).toBe(true);
    const again = rkt(dataDir, ["image", "export", "example.com/app", out]);
    expect(again).toMatchObject({ exitCode: 1, stderr: "image export: output ACI file exists (try --overwrite)\n" });
    expect(rkt(dataDir, ["image", "export", "--overwrite", baseKey, out]).exitCode).toBe(0);
    expect(`sha512-${createHash("sha512").update(readFileSync(out)).digest("hex")}`.startsWith(baseKey)).toBe(true);
    expect(readdirSync(work.path).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });

  test("names a missing output directory, and refuses to overwrite a directory", () => {
    const missing = rkt(dataDir, ["image", "export", "example.com/app", join(work.path, "nowhere", "x.aci")]);
    expect(missing).toMatchObject({ exitCode: 1, stderr: `image export: output directory ${join(work.path, "nowhere")} does not exist\n` });
    const dir = join(work.path, "a-directory");
    mkdirSync(dir);
    const onDir = rkt(dataDir, ["image", "export", "--overwrite", "example.com/app", dir]);
    expect(onDir).toMatchObject({ exitCode: 1, stderr: `image export: output ${dir} is a directory\n` });
  });
});

describe("rkt image extract", () => {
  test("unpacks the image alone: manifest and rootfs, without its dependencies", () => {
    const out = join(work.path, "extracted");
    expect(rkt(dataDir, ["image", "extract", "example.com/app", out]).stderr).toBe("");
    expect(readdirSync(out).sort()).toEqual(["manifest", "rootfs"]);
    expect(readFileSync(join(out, "rootfs/etc/shared"), "utf8")).toBe("from app");
    expect(existsSync(join(out, "rootfs/etc/base"))).toBe(false);
  });

  test("--rootfs-only puts the rootfs contents in the directory; --overwrite replaces it", () => {
    const out = join(work.path, "extracted-rootfs");
    mkdirSync(out);
    writeFileSync(join(out, "old"), "x");
    const refused = rkt(dataDir, ["image", "extract", "--rootfs-only", "example.com/app", out]);
    expect(refused).toMatchObject({ exitCode: 1, stderr: "image extract: output directory exists (try --overwrite)\n" });
    expect(rkt(dataDir, ["image", "extract", "--rootfs-only", "--overwrite", "example.com/app", out]).exitCode).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["bin", "etc"]);
  });

  test("refuses to delete /", () => {
    const r = rkt(dataDir, ["image", "extract", "--overwrite", "example.com/app", "/"]);
    expect(r).toMatchObject({ exitCode: 1, stderr: "image extract: this would delete your root filesystem. Refusing.\n" });
  });
});

describe("rkt image render", () => {
  test("renders the image with its dependencies; the image's files win", () => {
    const out = join(work.path, "rendered");
    expect(rkt(dataDir, ["image", "render", "example.com/app", out]).stderr).toBe("");
    expect(readdirSync(out).sort()).toEqual(["manifest", "rootfs"]);
    expect(readFileSync(join(out, "rootfs/etc/shared"), "utf8")).toBe("from app");
    expect(readFileSync(join(out, "rootfs/etc/base"), "utf8")).toBe("base");
    expect(JSON.parse(readFileSync(join(out, "manifest"), "utf8")).name).toBe("example.com/app");
  });

  test("--rootfs-only and --overwrite", () => {
    const out = join(work.path, "rendered-rootfs");
    mkdirSync(out);
    expect(rkt(dataDir, ["image", "render", "--rootfs-only", "example.com/app", out]).stderr).toBe("image render: output directory exists (try --overwrite)\n");
    expect(rkt(dataDir, ["image", "render", "--rootfs-only", "--overwrite", "example.com/app", out]).exitCode).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["bin", "etc"]);
    expect(rkt(dataDir, ["image", "render", "--overwrite", "example.com/app", "/"]).stderr).toBe(
      "image render: this would delete your root filesystem. Refusing.\n",
    );
  });

  test("a damaged tree in the cache is rebuilt with a warning", () => {
    writeFileSync(join(dataDir, "cas/tree", appKey, "rootfs/etc/shared"), "tampered");
    const out = join(work.path, "rendered-again");
    const r = rkt(dataDir, ["image", "render", "example.com/app", out]);
    expect(r.stderr).toBe("Warning: tree cache is in a bad state. Rebuilding...\n");
    expect(readFileSync(join(out, "rootfs/etc/shared"), "utf8")).toBe("from app");
  });
});

describe("rkt image verify", () => {
  test("checks the blob and the tree, rebuilding a damaged tree", () => {
    writeFileSync(join(dataDir, "cas/tree", appKey, "rootfs/etc/shared"), "tampered");
    const r = rkt(dataDir, ["image", "verify", "example.com/app", baseKey]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("Warning: tree cache is in a bad state. Rebuilding...\n");
    expect(r.stdout).toBe(`rkt: image "${appKey}" verified\nrkt: image "${baseKey}" verified\n`);
    expect(readFileSync(join(dataDir, "cas/tree", appKey, "rootfs/etc/shared"), "utf8")).toBe("from app");
  });
});

describe("rkt image rm", () => {
  test("refuses an image a pod still uses", () => {
    const pod = join(dataDir, "pods/prepared/6c0e07a1-1d1c-4a4c-9a35-1d6f4c1c5c2a");
    mkdirSync(pod, { recursive: true });
    writeFileSync(join(pod, "pod"), JSON.stringify({ acKind: "PodManifest", acVersion: "0.6.1", apps: [{ name: "app", image: { id: appKey } }] }));
    try {
      const r = rkt(dataDir, ["image", "rm", appKey]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toBe(`rkt: imageID "${appKey}" is referenced by some containers, cannot remove.\nrkt: 1 image(s) cannot be removed\n`);
      expect(rkt(dataDir, ["image", "list", "--no-legend", "--fields=key"]).stdout).toContain(appKey);
    } finally {
      Bun.spawnSync(["rm", "-rf", join(dataDir, "pods")]);
    }
  });

  test("waits for a pod being prepared, then refuses the image that pod chose", async () => {
    const pods = join(dataDir, "pods");
    mkdirSync(pods, { recursive: true });
    // A preparation holds pods/ shared from checking its chosen images until its pod names them.
    const preparation = await holdLock(pods, "shared");
    try {
      const remover = Bun.spawn([rktBinary, `--dir=${dataDir}`, "image", "rm", appKey], { stdout: "pipe", stderr: "pipe" });
      expect(await Promise.race([remover.exited.then(() => "exited"), Bun.sleep(500).then(() => "waiting")])).toBe("waiting");
      const pod = join(pods, "prepared/0d7f5b5e-4f0a-4d0e-8c2b-2f1e3a4b5c6d");
      mkdirSync(pod, { recursive: true });
      writeFileSync(join(pod, "pod"), JSON.stringify({ acKind: "PodManifest", acVersion: "0.6.1", apps: [{ name: "app", image: { id: appKey } }] }));
      await preparation.release();
      expect(await remover.exited).toBe(1);
      expect(await new Response(remover.stderr).text()).toStartWith(`rkt: imageID "${appKey}" is referenced by some containers, cannot remove.\n`);
    } finally {
      await preparation.release();
      Bun.spawnSync(["rm", "-rf", pods]);
    }
  });

  test("removes images by ID prefix and reports each; failures make the exit status 1", () => {
    const r = rkt(dataDir, ["image", "rm", appKey.slice(0, 20), "sha512-0000"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(`rkt: successfully removed aci for imageID: "${appKey}"\n`);
    expect(r.stderr).toContain("rkt: 1 image(s) successfully removed\n");
    expect(r.stderr).toContain("rkt: 1 image(s) cannot be removed\n");
    expect(existsSync(join(dataDir, "cas/tree", appKey))).toBe(false);
    expect(rkt(dataDir, ["image", "list", "--no-legend", "--fields=key"]).stdout).toBe(`${baseKey}\t\n`);
  });

  test("needs at least one key", () => {
    expect(rkt(dataDir, ["image", "rm"])).toMatchObject({ exitCode: 1, stderr: "rkt: Must provide at least one image key\n" });
  });
});

describe("rkt image verify of a damaged blob", () => {
  test("exits 1 naming the image whose blob no longer matches its ID, and still verifies the others", () => {
    // A plain tar blob with one byte changed, and a gzip blob whose data no longer inflates.
    const damagedKey = fetchKey(makeTestAci(work.path, "damaged.aci", { manifest: imageManifest("example.com/damaged"), files: { "etc/data": "x".repeat(4096) }, compression: "none" }));
    const corruptKey = fetchKey(makeTestAci(work.path, "corrupt.aci", { manifest: imageManifest("example.com/corrupt"), files: { "etc/data": "random" } }));
    const blobOf = (key: string) => join(dataDir, "cas/blob/sha512", key.slice("sha512-".length, "sha512-".length + 2), key);
    const bytes = readFileSync(blobOf(damagedKey));
    const middle = bytes.indexOf("xxxx");
    expect(middle).toBeGreaterThan(0);
    bytes[middle] = "y".charCodeAt(0);
    writeFileSync(blobOf(damagedKey), bytes);
    const gzip = readFileSync(blobOf(corruptKey));
    gzip.fill(0xff, 20, gzip.length - 8);
    writeFileSync(blobOf(corruptKey), gzip);
    const r = rkt(dataDir, ["image", "verify", damagedKey, corruptKey, baseKey]);
    expect(r).toEqual({
      exitCode: 1,
      stdout: `rkt: image "${baseKey}" verified\n`,
      stderr: [damagedKey, corruptKey].map((key) => `rkt: image "${key}" does not match its ID; remove it and fetch it again\n`).join(""),
    });
  });
});
