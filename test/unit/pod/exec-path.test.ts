// A relative --exec is looked up inside the app's own rootfs: symlinks in the image that
// point out of it (absolute or through `..`) resolve within the rootfs, never to the host's
// binaries, and a file that is not executable is passed over.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PodManifest } from "../../../src/appc";
import { resolveRelativeExecs } from "../../../src/pod/exec-path";

let rootfs: string;
beforeEach(() => {
  rootfs = mkdtempSync(join(tmpdir(), "rkt-exec-path-"));
});
afterEach(() => rmSync(rootfs, { recursive: true, force: true }));

function executable(path: string, mode = 0o755): void {
  mkdirSync(join(rootfs, path, ".."), { recursive: true });
  writeFileSync(join(rootfs, path), "#!/bin/sh\n");
  chmodSync(join(rootfs, path), mode);
}

function podWith(exec: string, path?: string): PodManifest {
  const environment = path === undefined ? [] : [{ name: "PATH", value: path }];
  return {
    acKind: "PodManifest",
    acVersion: "0.6.1",
    apps: [{ name: "app", image: { id: "sha512-00" }, app: { exec: [exec], user: "0", group: "0", environment } }],
  } as unknown as PodManifest;
}

async function resolved(exec: string, path?: string): Promise<string> {
  const manifest = podWith(exec, path);
  await resolveRelativeExecs(manifest, async () => rootfs);
  return manifest.apps[0]!.app!.exec[0]!;
}

test("a bare name is found in the app's PATH, in order, skipping files that are not executable", async () => {
  executable("opt/a/tool", 0o644);
  executable("opt/b/tool");
  expect(await resolved("tool", "/opt/a:/opt/b")).toBe("/opt/b/tool");
});

test("without a PATH, the working directory, /bin and /usr/bin are searched", async () => {
  executable("usr/bin/tool");
  expect(await resolved("tool")).toBe("/usr/bin/tool");
});

test("a symlinked directory pointing out of the rootfs resolves inside it, not to the host's binaries", async () => {
  // The host has /bin/sh; the image's /bin points at the host's /bin by an absolute link and by `..`.
  symlinkSync("/../../../../../../bin", join(rootfs, "bin"));
  mkdirSync(join(rootfs, "usr"));
  symlinkSync("../../../../../../../usr/bin", join(rootfs, "usr", "bin"));
  await expect(resolved("sh")).rejects.toThrow(`--exec "sh": app "app" has no executable of that name in /, /bin or /usr/bin`);
});
