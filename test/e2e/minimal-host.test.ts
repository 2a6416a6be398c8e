// dist/rkt on hosts that have nothing but the loader and the C library: this machine's
// (a minimal host) and Debian 11's glibc 2.31 (an older host). fetch from a file and over
// http, image render, run of a busybox pod and gc must need no other host file.
// --private-net too: the namespace is made without unshare or ip, and the CNI plugins come
// from inside the stage1 image (`default-restricted`: the `default` network also
// masquerades, which needs the host's iptables).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bullseyeLibcRoot, machineLibcRoot, olderLibcPackage, rktInRoot } from "../support/bare-root";
import { haveBusybox, tempDir } from "../support/harness";
import { busyboxImage, shellApp } from "./run-fixtures";

// test/run.sh caches Debian 11's libc6 before the tests (which have no network), where
// the archive serves it; without it the symbol-version unit test stands for that host.
const roots: [string, (root: string) => void, boolean][] = [
  ["a host with only the loader and libc", machineLibcRoot, true],
  ["a Debian 11 host (glibc 2.31)", bullseyeLibcRoot, olderLibcPackage() !== undefined],
];

for (const [hostName, makeRoot, available] of roots) {
  describe.skipIf(!haveBusybox || !available)(`dist/rkt on ${hostName}`, () => {
    const dir = tempDir("rkt-bare-root-");
    const root = join(dir.path, "root");
    let image = "";
    let server: ReturnType<typeof Bun.serve>;

    beforeAll(() => {
      makeRoot(root);
      image = busyboxImage(dir.path, "example.com/bare", shellApp("echo hello from $AC_APP_NAME"));
      copyFileSync(image, join(root, "images/bare.aci"));
      server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(Bun.file(image)) });
    });
    afterAll(async () => {
      server?.stop(true);
      await rktInRoot(root, ["gc", "--grace-period=0s"]);
      Bun.spawnSync(["umount", "-R", "-l", join(root, "var/lib/rkt")], { stderr: "ignore" });
      dir.cleanup();
    });

    test("fetches an image from a file", async () => {
      const r = await rktInRoot(root, ["--insecure-skip-verify", "fetch", "/images/bare.aci"]);
      expect(r.stderr).not.toContain("error");
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/^sha512-[0-9a-f]{32}\n$/);
    });

    test("fetches an image over http", async () => {
      const r = await rktInRoot(root, ["--insecure-skip-verify", "fetch", `http://127.0.0.1:${server.port}/bare.aci`]);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/^sha512-[0-9a-f]{32}\n$/);
    });

    test("renders an image", async () => {
      const r = await rktInRoot(root, ["image", "render", "example.com/bare", "/tmp/rendered"]);
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      expect(existsSync(join(root, "tmp/rendered/rootfs/bin/busybox"))).toBe(true);
      expect(readFileSync(join(root, "tmp/rendered/manifest"), "utf8")).toContain("example.com/bare");
    });

    test("runs a pod and collects it", async () => {
      const run = await rktInRoot(root, ["--insecure-skip-verify", "run", "--local", "--mds-register=false", "example.com/bare"]);
      expect(run.stderr).toBe("");
      expect(run.stdout).toContain("hello from bare");
      expect(run.exitCode).toBe(0);
      const gc = await rktInRoot(root, ["gc", "--grace-period=0s"]);
      expect(gc.exitCode).toBe(0);
      const list = await rktInRoot(root, ["list", "--no-legend"]);
      expect(list.stdout).toBe("");
    });

    test("runs a pod on a private network with the CNI plugins inside stage1, and collects it", async () => {
      const run = await rktInRoot(root, [
        "--insecure-skip-verify", "run", "--local", "--mds-register=false", "--private-net=default-restricted",
        "example.com/bare", "--exec=/bin/cat", "--", "/proc/net/dev",
      ]);
      expect(run.stderr).toBe("");
      expect(run.stdout).toContain("eth0:");
      expect(run.exitCode).toBe(0);
      expect((await rktInRoot(root, ["gc", "--grace-period=0s"])).exitCode).toBe(0);
      expect((await rktInRoot(root, ["list", "--no-legend"])).stdout).toBe("");
    });
  });
}
