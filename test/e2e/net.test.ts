// Private networking (`--private-net`, `--port`) through the built binary with the real
// CNI plugins of /usr/lib/cni. All traffic stays inside the pods' namespaces or goes to
// the host side of a pod's link (veth end or test bridge), or 127.0.0.1; afterAll
// removes every pod, chain, reservation and the test bridge.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rkt, tempDataDir, tempDir } from "../support/harness";
import { busyboxImage, collectPods, podsIn, shellApp, spawnRkt, waitFor } from "./run-fixtures";

const work = tempDir("rkt-net-images-");
const data = tempDataDir("rkt-net-");
const localConfig = join(work.path, "config");
/** A user network on a private test subnet; its IPAM state is in the default place, removed in afterAll. */
const userNetwork = `rkttest-${process.pid}`;
const cniState = "/var/lib/cni/networks";
/** A local config whose `default` network is a bridge (IPAM state in the temp directory), and that bridge. */
const bridgeConfig = join(work.path, "bridge-config");
const bridge = `rktbr${process.pid % 100000}`;
const started: ReturnType<typeof spawnRkt>[] = [];

let images: Record<string, string>;
beforeAll(() => {
  mkdirSync(join(localConfig, "net.d"), { recursive: true });
  writeFileSync(
    join(localConfig, "net.d", "10-test.conf"),
    JSON.stringify({ name: userNetwork, type: "ptp", ipam: { type: "host-local", subnet: "10.251.77.0/24", routes: [{ dst: "10.251.0.0/16" }] } }),
  );
  mkdirSync(join(bridgeConfig, "net.d"), { recursive: true });
  writeFileSync(
    join(bridgeConfig, "net.d", "10-default.conf"),
    JSON.stringify({
      name: "default",
      type: "bridge",
      bridge,
      isGateway: true,
      ipam: { type: "host-local", subnet: "10.251.78.0/24", routes: [{ dst: "0.0.0.0/0" }], dataDir: join(work.path, "bridge-ipam") },
    }),
  );
  const img = (name: string, app: Record<string, unknown>) => busyboxImage(work.path, name, app);
  images = {
    show: img("example.com/netshow", shellApp("/bin/busybox ip -4 -o addr; /bin/busybox ip route")),
    web: img(
      "example.com/web",
      shellApp("mkdir -p /www && echo served-from-the-pod > /www/index.html && exec /bin/busybox httpd -f -p 80 -h /www", {
        ports: [{ name: "http", protocol: "tcp", port: 80 }],
      }),
    ),
  };
});

afterAll(() => {
  for (const proc of started) proc.kill("SIGKILL");
  const uuids = Object.values(podsIn(data.path)).flat();
  collectPods(data.path);
  // Only what a failed gc would have left: our pods' chains and IPAM reservations.
  for (const uuid of uuids) {
    removeChains([...iptablesLinesOf(uuid), ...masqueradeLinesOf(uuid)]);
    for (const ip of reservationsOf("default", uuid)) rmSync(join(cniState, "default", ip), { force: true });
  }
  rmSync(join(cniState, userNetwork), { recursive: true, force: true });
  Bun.spawnSync(["ip", "link", "delete", bridge], { stderr: "ignore" });
  data.cleanup();
  work.cleanup();
});

/** The addresses host-local reserved in `network` for the pod (each file holds the container ID). */
function reservationsOf(network: string, uuid: string): string[] {
  const dir = join(cniState, network);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f) && readFileSync(join(dir, f), "utf8").startsWith(uuid));
}

function run(args: string[]) {
  const uuidFile = join(work.path, `uuid-${Math.random().toString(36).slice(2)}`);
  const result = rkt(data.path, ["--insecure-skip-verify", `--local-config=${localConfig}`, "run", "--mds-register=false", `--uuid-file-save=${uuidFile}`, ...args]);
  return { ...result, uuid: existsSync(uuidFile) ? readFileSync(uuidFile, "utf8") : undefined };
}

/** A TCP port nobody listens on now. */
async function freePort(): Promise<number> {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = server;
  server.stop(true);
  return port;
}

/** `{ dev, src }` of the host's route to a pod address: the host side of the pod's veth pair. */
function hostRouteTo(ip: string): { dev: string; src: string } {
  const line = Bun.spawnSync(["ip", "-4", "-o", "route", "get", ip]).stdout.toString();
  return { dev: /\bdev (\S+)/.exec(line)?.[1] ?? "", src: /\bsrc (\S+)/.exec(line)?.[1] ?? "" };
}

/** The body at `url`, retried while the app's server is still starting. */
async function fetchWhenServing(url: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (await fetch(url)).text();
    } catch (err) {
      if (attempt === 100) throw err;
      await Bun.sleep(100);
    }
  }
}

function linkExists(dev: string): boolean {
  return Bun.spawnSync(["ip", "link", "show", "dev", dev], { stderr: "ignore" }).exitCode === 0;
}

/** The tables where a pod's chains live: DNAT and SNAT in nat, the localnet guard in raw. */
const POD_CHAIN_TABLES = ["nat", "raw"];

/** Every rule and chain of the pod's iptables chains, or that jumps to one, as `TABLE: RULE` (`iptables -S`). */
function iptablesLinesOf(uuid: string): string[] {
  const prefix = `RKT-PFWD-${uuid.slice(0, 8)}`;
  return POD_CHAIN_TABLES.flatMap((table) =>
    Bun.spawnSync(["iptables", "-w", "-t", table, "-S"])
      .stdout.toString()
      .split("\n")
      .filter((line) => line.includes(prefix))
      .map((line) => `${table}: ${line}`),
  );
}

/**
 * The CNI plugin's masquerade of the pod's traffic, as `nat: RULE`: the POSTROUTING jump
 * commented with the pod's UUID (`name: "NET" id: "UUID"`) and the `CNI-` chain it jumps to.
 */
function masqueradeLinesOf(uuid: string): string[] {
  const lines = Bun.spawnSync(["iptables", "-w", "-t", "nat", "-S"]).stdout.toString().split("\n");
  const chains = lines.filter((line) => line.includes(`id: \\"${uuid}\\"`)).map((line) => / -j (CNI-\S+)/.exec(line)?.[1] ?? "");
  return lines.filter((line) => line.includes(uuid) || chains.some((chain) => chain && line.split(" ").includes(chain))).map((line) => `nat: ${line}`);
}

/** What a failed gc would have left of the pod's chains (`TABLE: RULE` lines): jumps into them deleted first, then the chains. */
function removeChains(lines: string[]): void {
  const fields = lines.map((line) => line.split(" "));
  const chains = fields.filter(([, op]) => op === "-N").map(([table, , chain]) => [table!.slice(0, -1), chain!] as const);
  for (const [i, [table, op, parent]] of fields.entries()) {
    if (op !== "-A" || chains.some(([, chain]) => chain === parent)) continue;
    // Through the shell, which reads the rule's quoting (of a comment) as iptables -S wrote it.
    Bun.spawnSync(["sh", "-c", `iptables -w -t ${table!.slice(0, -1)} -D ${lines[i]!.slice(lines[i]!.indexOf(" -A ") + 4)}`]);
  }
  for (const [table, chain] of chains) for (const flag of ["-F", "-X"]) Bun.spawnSync(["iptables", "-w", "-t", table, flag, chain]);
}

function mountedUnder(uuid: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((line) => line.includes(uuid) && line.split(" ")[4]?.endsWith("/netns"));
}

describe("rkt run --private-net", () => {
  test("=default gives the app lo and eth0 in the default network, with a default route to the host", () => {
    const result = run(["--private-net=default", images.show!]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^1: lo +inet 127\.0\.0\.1\/8/m);
    expect(result.stdout).toMatch(/^\d+: eth0 +inet 172\.16\.28\.\d+\/24/m);
    expect(result.stdout).toMatch(/^default via 172\.16\.28\.1 dev eth0/m);
    expect(result.stdout).not.toMatch(/eth1/);
  });

  test("the bare flag joins every net.d network, then the default network last", () => {
    const result = run(["--private-net", images.show!]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\d+: eth0 +inet 10\.251\.77\.\d+\/24/m);
    expect(result.stdout).toMatch(/^\d+: eth1 +inet 172\.16\.28\.\d+\/24/m);
    expect(result.stdout).toMatch(/^default via 172\.16\.28\.1 dev eth1/m);
  });

  test("a named user network comes first (eth0), default-restricted last (eth1, no default route)", () => {
    const result = run([`--private-net=${userNetwork}`, images.show!]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\d+: eth0 +inet 10\.251\.77\.\d+\/24/m);
    expect(result.stdout).toMatch(/^\d+: eth1 +inet 172\.16\.28\.\d+\/24/m);
    expect(result.stdout).not.toMatch(/^default/m);
    const pod = join(data.path, "pods", "run", result.uuid!);
    const networks = JSON.parse(readFileSync(join(pod, "net-info.json"), "utf8")) as { netName: string; ifName: string; netConf: string }[];
    expect(networks.map((n) => [n.netName, n.ifName, n.netConf])).toEqual([
      [userNetwork, "eth0", `net/${userNetwork}.conf`],
      ["default-restricted", "eth1", "net/default-restricted.conf"],
    ]);
    expect(reservationsOf(userNetwork, result.uuid!)).toHaveLength(1);
  });

  test("an unknown network is a one-line error before any pod exists", () => {
    const podsBefore = Object.values(podsIn(data.path)).flat();
    const result = run(["--private-net=nosuch,default", images.show!]);
    expect(result).toMatchObject({ exitCode: 1, stderr: "run: networks not found: nosuch\n", uuid: undefined });
    const prepared = rkt(data.path, ["--insecure-skip-verify", "prepare", "--quiet", images.show!]).stdout.trim();
    const again = rkt(data.path, [`--local-config=${localConfig}`, "run-prepared", "--private-net=nosuch", prepared]);
    expect(again).toMatchObject({ exitCode: 1, stderr: "run-prepared: networks not found: nosuch\n" });
    expect(Object.values(podsIn(data.path)).flat().sort()).toEqual([...podsBefore, prepared].sort());
    expect(podsIn(data.path).prepared).toContain(prepared);
  });

  test("an unknown port name fails with 254 after the pod exists, and leaves no networking behind", () => {
    const before = podsIn(data.path).run ?? [];
    const result = run(["--private-net", "--port=nope:18081", images.web!]);
    expect(result.exitCode).toBe(254);
    expect(result.stderr).toMatch(/^run: pod [0-9a-f-]{36}: Port name "nope" is not defined by any apps\n$/);
    const uuid = (podsIn(data.path).run ?? []).find((u) => !before.includes(u))!;
    const pod = join(data.path, "pods", "run", uuid);
    for (const file of ["netns", "net-info.json", "net"]) expect(existsSync(join(pod, file))).toBe(false);
    expect(reservationsOf("default", uuid)).toEqual([]);
    expect(iptablesLinesOf(uuid)).toEqual([]);
  });

  test("run-prepared --private-net joins the networks too", () => {
    const prepared = rkt(data.path, ["--insecure-skip-verify", "prepare", "--quiet", images.show!]);
    expect(prepared.exitCode).toBe(0);
    const uuid = prepared.stdout.trim();
    const result = rkt(data.path, [`--local-config=${localConfig}`, "run-prepared", "--mds-register=false", "--private-net=default", uuid]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^\d+: eth0 +inet 172\.16\.28\.\d+\/24/m);
  });
});

describe("rkt run --private-net --port", () => {
  test("prepare records --port in the pod manifest, for run-prepared --private-net to forward", () => {
    const prepared = rkt(data.path, ["--insecure-skip-verify", "prepare", "--quiet", "--port=http:8080", images.web!]);
    expect(prepared.exitCode).toBe(0);
    const manifest = JSON.parse(readFileSync(join(data.path, "pods", "prepared", prepared.stdout.trim(), "pod"), "utf8"));
    expect(manifest.ports).toEqual([{ name: "http", hostPort: 8080 }]);
  });

  test("a malformed --port is a usage error", () => {
    expect(run(["--private-net", "--port=http", images.web!])).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('run: --port "http": not NAME:HOSTPORT') });
  });

  test("forwards a host port to the app's named port, from the host's addresses and from 127.0.0.1; status and list show the network; gc removes it all", async () => {
    const hostPort = await freePort();
    const { proc, uuid, ip } = await startWebPod(localConfig, hostPort);
    expect(ip).toMatch(/^172\.16\.28\.\d+$/);
    expect(rkt(data.path, ["list", "--no-legend"]).stdout).toContain(`default:ip4=${ip}`);

    const hostSide = hostRouteTo(ip);
    expect(hostSide.src).toBe("172.16.28.1");
    expect(await fetchWhenServing(`http://${hostSide.src}:${hostPort}/`)).toBe("served-from-the-pod\n");
    expect(await fetchWhenServing(`http://127.0.0.1:${hostPort}/`)).toBe("served-from-the-pod\n");
    expect(reservationsOf("default", uuid)).toEqual([ip]);
    const chain = `RKT-PFWD-${uuid.slice(0, 8)}`;
    expect(iptablesLinesOf(uuid).sort()).toEqual(
      [
        `nat: -N ${chain}`,
        `nat: -N ${chain}-SNAT`,
        `nat: -A PREROUTING -m addrtype --dst-type LOCAL -j ${chain}`,
        `nat: -A OUTPUT -m addrtype --dst-type LOCAL -j ${chain}`,
        `nat: -A POSTROUTING -j ${chain}-SNAT`,
        `nat: -A ${chain} -p tcp -m tcp --dport ${hostPort} -j DNAT --to-destination ${ip}:80`,
        `nat: -A ${chain}-SNAT -s 127.0.0.0/8 -d ${ip}/32 -p tcp -m tcp --dport 80 -j MASQUERADE`,
        `raw: -N ${chain}-LOCALNET`,
        `raw: -A PREROUTING -j ${chain}-LOCALNET`,
        `raw: -A ${chain}-LOCALNET -d 127.0.0.0/8 -i ${hostSide.dev} -j DROP`,
      ].sort(),
    );
    expect(readFileSync(`/proc/sys/net/ipv4/conf/${hostSide.dev}/route_localnet`, "utf8")).toBe("1\n");
    expect(mountedUnder(uuid)).toHaveLength(1);

    expect(rkt(data.path, ["stop", uuid]).exitCode).toBe(0);
    await proc.exited;
    collectPods(data.path);
    expect(Object.values(podsIn(data.path)).flat()).not.toContain(uuid);
    expect(linkExists(hostSide.dev)).toBe(false);
    expect(reservationsOf("default", uuid)).toEqual([]);
    expect(iptablesLinesOf(uuid)).toEqual([]);
    expect(mountedUnder(uuid)).toEqual([]);
  });

  test("with a bridge as the default network, the bridge's address is forwarded and the shared bridge gets no route_localnet", async () => {
    const hostPort = await freePort();
    const { proc, uuid, ip } = await startWebPod(bridgeConfig, hostPort);
    expect(ip).toMatch(/^10\.251\.78\.\d+$/);
    const hostSide = hostRouteTo(ip);
    expect(hostSide.dev).toBe(bridge);
    expect(await fetchWhenServing(`http://${hostSide.src}:${hostPort}/`)).toBe("served-from-the-pod\n");
    const chain = `RKT-PFWD-${uuid.slice(0, 8)}`;
    expect(iptablesLinesOf(uuid).filter((l) => l.includes(`${chain}-SNAT`) || l.includes(`${chain}-LOCALNET`))).toEqual([]);
    expect(readFileSync(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, "utf8")).toBe("0\n");

    expect(rkt(data.path, ["stop", uuid]).exitCode).toBe(0);
    await proc.exited;
    collectPods(data.path);
    expect(Object.values(podsIn(data.path)).flat()).not.toContain(uuid);
    expect(iptablesLinesOf(uuid)).toEqual([]);
  });
});

/** Starts the web app on the default network of `config` with `http` forwarded from `hostPort`; resolves once it runs. */
async function startWebPod(config: string, hostPort: number) {
  const proc = spawnRkt(data.path, ["--insecure-skip-verify", `--local-config=${config}`, "run", "--mds-register=false", "--private-net=default", `--port=http:${hostPort}`, images.web!]);
  started.push(proc);
  const uuid = await waitFor("the pod", () => (podsIn(data.path).run ?? []).find((u) => rkt(data.path, ["status", u]).stdout.includes("state=running")));
  const ip = /^networks=default:ip4=(\S+)$/m.exec(rkt(data.path, ["status", uuid]).stdout)?.[1] ?? "";
  return { proc, uuid, ip };
}

describe("rkt gc and rm of a --private-net pod whose network namespace is gone (as after a reboot)", () => {
  /** The pods of these tests: a gc that removed them but not their chains leaves the UUIDs nowhere else. */
  const uuids: string[] = [];
  afterAll(() => {
    for (const uuid of uuids) removeChains([...iptablesLinesOf(uuid), ...masqueradeLinesOf(uuid)]);
  });

  /** Runs a pod that exits at once with `http` forwarded, then takes its netns bind mount away as a reboot would. */
  async function exitedPodWithoutNetns(netnsAfterReboot: "removed" | "an empty file") {
    const image = busyboxImage(work.path, "example.com/quick-web", shellApp("true", { ports: [{ name: "http", protocol: "tcp", port: 80 }] }));
    const result = run(["--private-net=default", `--port=http:${await freePort()}`, image]);
    expect(result.exitCode).toBe(0);
    const uuid = result.uuid!;
    uuids.push(uuid);
    expect(reservationsOf("default", uuid)).toHaveLength(1);
    expect(iptablesLinesOf(uuid)).not.toEqual([]);
    expect(masqueradeLinesOf(uuid)).toHaveLength(4);
    const netns = join(data.path, "pods", "run", uuid, "netns");
    expect(Bun.spawnSync(["umount", netns]).exitCode).toBe(0);
    if (netnsAfterReboot === "removed") rmSync(netns);
    expect(mountedUnder(uuid)).toEqual([]);
    return uuid;
  }

  /** Deletes the pod with gc (mark, then sweep) or rm; returns what the deleting run printed. */
  function deleteWith(command: "gc" | "rm", uuid: string) {
    if (command === "rm") return rkt(data.path, ["rm", uuid]);
    expect(rkt(data.path, ["gc"]).exitCode).toBe(0);
    return rkt(data.path, ["gc", "--grace-period=0s"]);
  }

  for (const [netnsAfterReboot, command] of [["removed", "gc"], ["an empty file", "gc"], ["an empty file", "rm"]] as const) {
    test(`with its netns ${netnsAfterReboot}, ${command} still removes the pod, its chains, the plugin's masquerade and its IPAM lease`, async () => {
      const uuid = await exitedPodWithoutNetns(netnsAfterReboot);
      const deleted = deleteWith(command, uuid);
      expect(deleted).toEqual({ exitCode: 0, stdout: `Garbage collecting pod "${uuid}"\n`, stderr: command === "rm" ? `Moving pod "${uuid}" to garbage\n` : "" });
      expect(Object.values(podsIn(data.path)).flat()).not.toContain(uuid);
      expect(iptablesLinesOf(uuid)).toEqual([]);
      expect(masqueradeLinesOf(uuid)).toEqual([]);
      expect(reservationsOf("default", uuid)).toEqual([]);
    });
  }
});
