// An arm64 machine for running pods of dist/linux-arm64/rkt: Debian's arm64 kernel under
// qemu-system-aarch64 (software emulation), booting an initramfs that holds busybox, the
// arm64 rkt with Debian's arm64 loader and libc, and the test's image. The kernel and
// busybox packages are fetched once with apt into .cache/arm64-vm (test-assets.ts does it
// before the tests, which have no network).
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { machineDebianSources, withPrivateApt } from "../../native/private-apt";
import { repoRoot } from "./harness";

const cacheDir = join(repoRoot, ".cache/arm64-vm");
export const arm64Rkt = join(repoRoot, "dist/linux-arm64/rkt");
const arm64Libc = "/usr/aarch64-linux-gnu/lib";
const qemu = "/usr/bin/qemu-system-aarch64";

export interface Arm64VmParts {
  kernel: string;
  busybox: string;
}

/** The cached kernel and busybox, or undefined before fetchArm64VmParts ran. */
export function arm64VmParts(): Arm64VmParts | undefined {
  const kernel = join(cacheDir, "vmlinuz");
  const busybox = join(cacheDir, "busybox");
  return existsSync(kernel) && existsSync(busybox) ? { kernel, busybox } : undefined;
}

/** Whether this machine can boot the VM: qemu, the arm64 libc, the arm64 rkt and the parts. */
export function canBootArm64Vm(): boolean {
  return existsSync(qemu) && existsSync(join(arm64Libc, "ld-linux-aarch64.so.1")) && existsSync(arm64Rkt) && arm64VmParts() !== undefined;
}

/** Downloads Debian's arm64 kernel and busybox-static with apt and unpacks what the VM needs. */
export function fetchArm64VmParts(): Arm64VmParts {
  const cached = arm64VmParts();
  if (cached) return cached;
  const download = join(cacheDir, "download");
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download, { recursive: true });
  try {
    withPrivateApt(join(cacheDir, "apt"), machineDebianSources("deb", { withSecurity: true }), (apt) => {
      // linux-image-arm64 only depends on the versioned package that holds the kernel.
      const kernelPackage = /Depends: (linux-image-[\w.-]+-arm64):arm64/.exec(apt("apt-cache", ["depends", "linux-image-arm64:arm64"], download))?.[1];
      if (!kernelPackage) throw new Error("the Debian archive names no arm64 kernel package");
      apt("apt-get", ["download", `${kernelPackage}:arm64`, "busybox-static:arm64"], download);
    }, ["arm64"]);
    for (const deb of readdirSync(download).filter((name) => name.endsWith(".deb"))) {
      const unpack = Bun.spawnSync(["dpkg-deb", "-x", join(download, deb), join(download, "unpacked")], { stderr: "pipe" });
      if (unpack.exitCode !== 0) throw new Error(`dpkg-deb -x ${deb}: ${unpack.stderr.toString()}`);
    }
    const boot = join(download, "unpacked/boot");
    const vmlinuz = readdirSync(boot).find((name) => name.startsWith("vmlinuz-"));
    if (!vmlinuz) throw new Error("the arm64 kernel package holds no /boot/vmlinuz-*");
    copyFileSync(join(boot, vmlinuz), join(cacheDir, "vmlinuz"));
    copyFileSync(join(download, "unpacked/bin/busybox"), join(cacheDir, "busybox"));
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
  return arm64VmParts()!;
}

/**
 * Packs an initramfs (newc cpio, gzip) into `workDir` whose init copies itself to a tmpfs
 * (pivot_root, which stage1 uses, refuses the initramfs), mounts /proc, /sys, /dev and the
 * cgroup2 hierarchy, runs `script` (sh, with `rkt` on PATH and `files` at /), prints its exit
 * status as `vm-script-exit=N`, and powers the machine off.
 */
export function buildArm64Initramfs(workDir: string, parts: Arm64VmParts, files: Record<string, string>, script: string): string {
  const root = join(workDir, "initramfs");
  rmSync(root, { recursive: true, force: true });
  for (const dir of ["bin", "lib", "proc", "sys", "dev", "tmp", "newroot", "var/lib"]) mkdirSync(join(root, dir), { recursive: true });
  copyFileSync(parts.busybox, join(root, "bin/busybox"));
  copyFileSync(arm64Rkt, join(root, "bin/rkt"));
  for (const lib of ["ld-linux-aarch64.so.1", "libc.so.6", "libpthread.so.0", "libdl.so.2", "libm.so.6"]) copyFileSync(join(arm64Libc, lib), join(root, "lib", lib));
  for (const [path, source] of Object.entries(files)) copyFileSync(source, join(root, path));
  writeFileSync(join(root, "script.sh"), script);
  writeFileSync(join(root, "init"), [
    "#!/bin/busybox sh",
    "/bin/busybox --install -s /bin",
    "export PATH=/bin",
    "mount -t tmpfs -o size=1500m newroot /newroot",
    "for entry in /*; do [ \"$entry\" = /newroot ] || cp -a \"$entry\" /newroot/; done",
    "exec switch_root /newroot /stage2-init",
    "",
  ].join("\n"));
  writeFileSync(join(root, "stage2-init"), [
    "#!/bin/sh",
    "export PATH=/bin",
    "mount -t proc proc /proc && mount -t sysfs sys /sys && mount -t devtmpfs dev /dev",
    "mount -t cgroup2 cgroup2 /sys/fs/cgroup",
    "sh /script.sh",
    "echo vm-script-exit=$?",
    "poweroff -f",
    "",
  ].join("\n"));
  chmodSync(join(root, "init"), 0o755);
  chmodSync(join(root, "stage2-init"), 0o755);
  chmodSync(join(root, "bin/busybox"), 0o755);
  chmodSync(join(root, "bin/rkt"), 0o755);
  const initramfs = join(workDir, "initramfs.cpio.gz");
  const pack = Bun.spawnSync(["sh", "-c", `cd "${root}" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 > "${initramfs}"`]);
  if (pack.exitCode !== 0) throw new Error("packing the initramfs failed");
  return initramfs;
}

/** Boots the VM with the initramfs; resolves with everything its console printed. */
export async function bootArm64Vm(parts: Arm64VmParts, initramfs: string): Promise<string> {
  const proc = Bun.spawn([
    qemu, "-M", "virt", "-cpu", "max", "-smp", "2", "-m", "2048", "-nographic", "-no-reboot", "-nic", "none",
    "-kernel", parts.kernel, "-initrd", initramfs, "-append", "console=ttyAMA0 quiet panic=-1",
  ], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [console_, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return console_ + stderr;
}
