// Fetches, with apt, what some tests need from Debian's archive and caches it in .cache/:
// Debian 11's libc6 (older-host test), an arm64 kernel and busybox (arm64 pod test), and a
// Debian 12 tree with systemd, D-Bus and machined made by debootstrap (systemd host test).
// test/run.sh runs this before the tests, which have no network; whatever the archive
// does not serve is reported here, and its tests are skipped.
import { fetchArm64VmParts } from "./arm64-vm";
import { fetchOlderLibc } from "./bare-root";
import { fetchSystemdTree } from "./systemd-machine";

const assets: [string, () => string][] = [
  ["older host (Debian 11 libc6)", fetchOlderLibc],
  ["arm64 VM (kernel, busybox)", () => fetchArm64VmParts().kernel],
  ["systemd host (Debian 12 tree with systemd, D-Bus, machined)", fetchSystemdTree],
];
for (const [name, fetch] of assets) {
  try {
    process.stdout.write(`test assets: ${name}: ${fetch()}\n`);
  } catch (err) {
    process.stdout.write(`test assets: ${name}: not available, its tests will be skipped: ${(err as Error).message.split("\n")[0]}\n`);
  }
}
