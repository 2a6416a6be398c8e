// An arm64 pod: Debian's arm64 kernel boots under qemu-system-aarch64 (software emulation)
// with an initramfs holding busybox, dist/linux-arm64/rkt with its arm64 stage1, and a
// busybox image; the machine runs the pod, prints its output and powers off. qemu-user
// cannot create namespaces, hence the whole machine.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { arm64VmParts, bootArm64Vm, buildArm64Initramfs, canBootArm64Vm } from "../support/arm64-vm";
import { imageManifest, makeTestAci, tempDir } from "../support/harness";

describe.skipIf(!canBootArm64Vm())("an arm64 machine under qemu-system-aarch64", () => {
  const work = tempDir("rkt-arm64-vm-");
  afterAll(() => work.cleanup());

  test("runs a busybox pod with dist/linux-arm64/rkt and its own stage1", async () => {
    const parts = arm64VmParts()!;
    const image = makeTestAci(work.path, "busybox-arm64.aci", {
      manifest: imageManifest("example.com/arm64/busybox", {
        labels: [{ name: "os", value: "linux" }, { name: "arch", value: "aarch64" }],
        app: { exec: ["/bin/busybox", "sh", "-c", "echo pod-says: $(busybox uname -m) $AC_APP_NAME"], user: "0", group: "0" },
      }),
      copies: { "bin/busybox": parts.busybox },
    });
    const script = [
      "rkt --dir=/var/lib/rkt --insecure-skip-verify run --mds-register=false /busybox.aci",
      "echo rkt-run-exit=$?",
      "rkt --dir=/var/lib/rkt gc --grace-period=0s >/dev/null 2>&1",
      "echo rkt-gc-exit=$?",
      "echo pods-left=$(rkt --dir=/var/lib/rkt list --no-legend | wc -l)",
    ].join("\n");
    const initramfs = buildArm64Initramfs(work.path, parts, { "busybox.aci": image }, script);
    const console_ = await bootArm64Vm(parts, initramfs);
    expect(console_).toContain("pod-says: aarch64 busybox");
    expect(console_).toContain("rkt-run-exit=0");
    expect(console_).toContain("rkt-gc-exit=0");
    expect(console_).toContain("pods-left=0");
    expect(console_).toContain("vm-script-exit=0");
  }, 600_000);
});
