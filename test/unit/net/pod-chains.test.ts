// The iptables chains of a pod's forwarded ports: a host without iptables is told to install it.
import { expect, test } from "bun:test";
import { join } from "node:path";

test("a host without iptables in PATH is told to install it", () => {
  const module = join(import.meta.dir, "../../../src/net/pod-chains.ts");
  const script = `import { removePodChains } from ${JSON.stringify(module)}; removePodChains("00000000-0000-4000-8000-000000000000");`;
  // PATH is read when the process starts: the call runs in a process started without iptables in it.
  const proc = Bun.spawnSync([process.execPath, "-e", script], { env: { PATH: "/nonexistent" }, stdout: "ignore", stderr: "pipe" });
  expect(proc.exitCode).not.toBe(0);
  expect(proc.stderr.toString()).toContain("iptables not found in PATH: install it (Debian: apt-get install iptables); --port and the default network's masquerade need it");
});
