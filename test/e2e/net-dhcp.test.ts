// A private network whose IPAM is the real CNI `dhcp` plugin, served by busybox's udhcpd.
// The DHCP traffic stays on links this file makes: a veth pair whose one end is the
// macvlan master for the server's address and for the pod's eth0. (macvlan, not bridge:
// the bridge plugin deletes the pod's link before its IPAM DEL, so the lease could not be
// released.) afterAll stops both daemons and removes the links.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rkt, tempDataDir, tempDir } from "../support/harness";
import { busyboxImage, collectPods, podsIn, shellApp, spawnRkt, waitFor } from "./run-fixtures";

const work = tempDir("rkt-dhcp-");
const data = tempDataDir("rkt-dhcp-data-");
const localConfig = join(work.path, "config");
const network = "dhcptest";
const suffix = process.pid % 100000;
/** The veth end the macvlans hang from, its peer, and the server's macvlan. */
const master = `rktdm${suffix}`;
const masterPeer = `rktdp${suffix}`;
const serverLink = `rktds${suffix}`;
const serverAddress = "10.251.79.1";
const leaseFile = join(work.path, "udhcpd.leases");
const daemonSocket = join(work.path, "dhcp.sock");
/** busybox udhcpd, the DHCP server; then the CNI dhcp daemon, the pods' client. */
let dhcpServer: ReturnType<typeof Bun.spawn> | undefined;
let cniDhcpDaemon: ReturnType<typeof Bun.spawn> | undefined;
let image = "";

function ip(...args: string[]): void {
  const result = Bun.spawnSync(["ip", ...args], { stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`ip ${args.join(" ")}: ${result.stderr.toString().trim()}`);
}

beforeAll(async () => {
  ip("link", "add", master, "type", "veth", "peer", "name", masterPeer);
  ip("link", "set", master, "up");
  ip("link", "set", masterPeer, "up");
  ip("link", "add", serverLink, "link", master, "type", "macvlan", "mode", "bridge");
  ip("addr", "add", `${serverAddress}/24`, "dev", serverLink);
  ip("link", "set", serverLink, "up");

  const serverConfig = join(work.path, "udhcpd.conf");
  writeFileSync(leaseFile, "");
  writeFileSync(
    serverConfig,
    [
      "start 10.251.79.100",
      "end 10.251.79.150",
      `interface ${serverLink}`,
      `lease_file ${leaseFile}`,
      `pidfile ${join(work.path, "udhcpd.pid")}`,
      "option subnet 255.255.255.0",
      `option router ${serverAddress}`,
      "option lease 600",
    ].join("\n") + "\n",
  );
  dhcpServer = Bun.spawn(["busybox", "udhcpd", "-f", serverConfig], { stdout: "ignore", stderr: "ignore" });
  cniDhcpDaemon = Bun.spawn(["/usr/lib/cni/dhcp", "daemon", "-socketpath", daemonSocket], { stdout: "ignore", stderr: "ignore" });
  await waitFor("the CNI dhcp daemon's socket", () => existsSync(daemonSocket) || undefined);

  mkdirSync(join(localConfig, "net.d"), { recursive: true });
  writeFileSync(
    join(localConfig, "net.d", "10-dhcp.conf"),
    JSON.stringify({ cniVersion: "0.3.1", name: network, type: "macvlan", master, mode: "bridge", ipam: { type: "dhcp", daemonSocketPath: daemonSocket } }),
  );
  image = busyboxImage(work.path, "example.com/dhcp-client", shellApp("/bin/busybox ip -4 -o addr show dev eth0; /bin/busybox ip route; echo ready; exec sleep 1000"));
});

afterAll(async () => {
  collectPods(data.path);
  for (const daemon of [dhcpServer, cniDhcpDaemon]) {
    if (!daemon) continue;
    daemon.kill("SIGKILL");
    await daemon.exited;
  }
  Bun.spawnSync(["ip", "link", "delete", master], { stderr: "ignore" }); // takes its peer and the macvlan with it
  data.cleanup();
  work.cleanup();
});

/** What udhcpd's lease table says of `address`: its time left, "expired", or undefined. */
function serverLease(address: string): string | undefined {
  dhcpServer!.kill("SIGUSR1"); // udhcpd writes its lease file on SIGUSR1
  const dump = Bun.spawnSync(["busybox", "dumpleases", "-f", leaseFile]).stdout.toString();
  const line = dump.split("\n").find((l) => l.split(/\s+/)[1] === address);
  return line?.trim().split(/\s+/).pop();
}

async function readUntil(stream: ReadableStream<Uint8Array>, marker: string): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    if (text.includes(marker)) return text;
  }
  throw new Error(`the pod ended before printing ${marker}: ${text}`);
}

describe("rkt run --private-net with DHCP IPAM", () => {
  test("the app's eth0 gets its address from the DHCP server; status shows it; gc releases the lease", async () => {
    const uuidFile = join(work.path, "uuid");
    const proc = spawnRkt(data.path, ["--insecure-skip-verify", `--local-config=${localConfig}`, "run", "--mds-register=false", `--private-net=${network}`, `--uuid-file-save=${uuidFile}`, image]);
    try {
      const output = await readUntil(proc.stdout, "ready\n");
      const leased = /^\d+: eth0 +inet (10\.251\.79\.\d+)\/24/m.exec(output)?.[1];
      expect(leased).toBeDefined();
      expect(Number(leased!.split(".")[3])).toBeGreaterThanOrEqual(100);
      expect(output).toContain(`\ndefault via ${serverAddress} dev eth0`);

      const uuid = await Bun.file(uuidFile).text();
      const networks = /^networks=(.*)$/m.exec(rkt(data.path, ["status", uuid]).stdout)?.[1].split(", ");
      expect(networks?.[0]).toBe(`${network}:ip4=${leased}`);
      await waitFor("udhcpd to list the lease", () => (serverLease(leased!) ?? "expired") !== "expired" || undefined);

      expect(rkt(data.path, ["stop", uuid]).exitCode).toBe(0);
      await proc.exited;
      collectPods(data.path);
      expect(Object.values(podsIn(data.path)).flat()).not.toContain(uuid);
      await waitFor("udhcpd to see the lease released", () => serverLease(leased!) === "expired" || undefined);
    } finally {
      proc.kill("SIGKILL");
    }
  });
});
