// dist/linux-arm64/rkt under qemu-user (qemu-aarch64-static with Debian's arm64 libc from
// libc6-arm64-cross): the image and trust commands, which need no namespaces. Pods need a
// kernel of their own (qemu-user cannot create namespaces): see the README's arm64 pod test.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeGpgSigner, type GpgSigner } from "../support/gpg-signer";
import { imageManifest, makeTestAci, repoRoot, tempDir, type RunResult } from "../support/harness";

const arm64Rkt = join(repoRoot, "dist/linux-arm64/rkt");
const qemu = "/usr/bin/qemu-aarch64-static";
const arm64Libc = "/usr/aarch64-linux-gnu";
const available = existsSync(arm64Rkt) && existsSync(qemu) && existsSync(join(arm64Libc, "lib/ld-linux-aarch64.so.1"));

describe.skipIf(!available)("dist/linux-arm64/rkt under qemu-user", () => {
  const work = tempDir("rkt-arm64-");
  const dataDir = join(work.path, "data");
  const localConfig = join(work.path, "local-config");
  let signer: GpgSigner;
  let image = "";
  let server: ReturnType<typeof Bun.serve>;

  /** Runs the arm64 binary (as `argv0`: rkt or actool) under qemu; async, so the test's http server can answer. */
  async function arm64(args: string[], argv0 = "rkt"): Promise<RunResult> {
    const proc = Bun.spawn([qemu, "-L", arm64Libc, "-0", argv0, arm64Rkt, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { exitCode, stdout, stderr };
  }
  const rkt = (args: string[]) => arm64([`--dir=${dataDir}`, `--local-config=${localConfig}`, ...args]);

  beforeAll(() => {
    signer = makeGpgSigner("Arm Signer <arm@example.com>");
    writeFileSync(join(work.path, "signer.asc"), signer.armoredPublicKey);
    image = makeTestAci(work.path, "hello.aci", { manifest: imageManifest("example.com/arm/hello"), files: { "etc/hello": "hi from arm64" } });
    signer.sign(image, `${image}.asc`);
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) => new Response(Bun.file(new URL(req.url).pathname.endsWith(".asc") ? `${image}.asc` : image)),
    });
  });
  afterAll(() => {
    server?.stop(true);
    signer?.cleanup();
    work.cleanup();
  });

  test("is an aarch64 executable that answers version", async () => {
    expect(readFileSync(arm64Rkt).subarray(18, 20).readUInt16LE()).toBe(183); // e_machine EM_AARCH64
    const r = await arm64(["version"]);
    expect(r).toMatchObject({ exitCode: 0, stdout: "rkt version 1.27.0\nappc version 0.6.1\n" });
  });

  test("refuses the image before its signer is trusted, then fetches it verified from a file", async () => {
    expect((await rkt(["fetch", image])).exitCode).not.toBe(0);
    const trust = await rkt(["trust", "--prefix=example.com/arm", "--skip-fingerprint-review", join(work.path, "signer.asc")]);
    expect(trust.exitCode).toBe(0);
    const r = await rkt(["fetch", image]);
    expect(r.stderr).toContain("signature verified");
    expect(r.stdout).toMatch(/^sha512-[0-9a-f]{32}\n$/);
  });

  test("fetches the signed image over http", async () => {
    const r = await rkt(["--insecure-skip-verify", "fetch", `http://127.0.0.1:${server.port}/hello.aci`]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^sha512-[0-9a-f]{32}\n$/);
  });

  test("lists, shows, renders, extracts and exports the image", async () => {
    expect((await rkt(["image", "list", "--no-legend"])).stdout).toContain("example.com/arm/hello");
    expect(JSON.parse((await rkt(["image", "cat-manifest", "example.com/arm/hello"])).stdout).name).toBe("example.com/arm/hello");
    const rendered = join(work.path, "rendered");
    expect((await rkt(["image", "render", "example.com/arm/hello", rendered])).exitCode).toBe(0);
    expect(readFileSync(join(rendered, "rootfs/etc/hello"), "utf8")).toBe("hi from arm64");
    const extracted = join(work.path, "extracted");
    expect((await rkt(["image", "extract", "example.com/arm/hello", extracted])).exitCode).toBe(0);
    expect(readFileSync(join(extracted, "rootfs/etc/hello"), "utf8")).toBe("hi from arm64");
    const exported = join(work.path, "exported.aci");
    expect((await rkt(["image", "export", "example.com/arm/hello", exported])).exitCode).toBe(0);
    expect(Bun.spawnSync(["tar", "-tf", exported]).stdout.toString()).toContain("rootfs/etc/hello");
  });

  test("answers as actool: build and validate", async () => {
    const layout = join(work.path, "layout");
    mkdirSync(join(layout, "rootfs"), { recursive: true });
    writeFileSync(join(layout, "manifest"), JSON.stringify(imageManifest("example.com/arm/built")));
    writeFileSync(join(layout, "rootfs/greeting"), "hello");
    const built = join(work.path, "built.aci");
    expect(await arm64(["build", layout, built], "actool")).toMatchObject({ exitCode: 0, stderr: "" });
    expect((await arm64(["validate", built], "actool")).exitCode).toBe(0);
  });
});
