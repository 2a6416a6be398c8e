// Real CNI plugins (/usr/lib/cni: the test's stage1 carries none) on a private test subnet,
// IPAM state in a temp directory.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PodManifest } from "../../../src/appc";
import { setUpPodNetwork } from "../../../src/net";
import { removePodChains } from "../../../src/net/pod-chains";
import { repoRoot, tempDir } from "../../support/harness";

const uuid = "0badc0de-1111-4222-8333-444455556666";
let work: { path: string; cleanup: () => void };
let podPath: string;
let localConfig: string;
let ipamDir: string;
let stage1Plugins: string;

beforeEach(() => {
  work = tempDir("rkt-podnet-");
  podPath = join(work.path, "pod");
  localConfig = join(work.path, "config");
  ipamDir = join(work.path, "ipam");
  stage1Plugins = join(work.path, "stage1-plugins");
  mkdirSync(podPath);
  mkdirSync(join(localConfig, "net.d"), { recursive: true });
  writeFileSync(
    join(localConfig, "net.d", "10-good.conf"),
    JSON.stringify({ cniVersion: "0.3.1", name: "good", type: "ptp", ipam: { type: "host-local", subnet: "10.251.99.0/24", dataDir: ipamDir } }),
  );
  writeFileSync(
    join(localConfig, "net.d", "15-second.conf"),
    JSON.stringify({ cniVersion: "1.0.0", name: "second", type: "ptp", ipam: { type: "host-local", subnet: "10.251.98.0/24", dataDir: ipamDir } }),
  );
  writeFileSync(join(localConfig, "net.d", "20-broken.conf"), JSON.stringify({ name: "broken", type: "no-such-plugin" }));
});

afterEach(() => {
  removePodChains(uuid);
  Bun.spawnSync(["umount", "-l", join(podPath, "netns")]);
  work.cleanup();
});

function manifest(ports: PodManifest["ports"] = [], protocol = "tcp"): PodManifest {
  const app = { exec: ["/bin/true"], user: "0", group: "0", ports: [{ name: "http", protocol, port: 80 }] };
  return { acVersion: "0.6.1", acKind: "PodManifest", apps: [{ name: "web", image: { id: "sha512-00" }, app }], ports } as PodManifest;
}

function hostLinks(): string[] {
  return Bun.spawnSync(["ip", "-o", "link"]).stdout.toString().split("\n").map((l) => l.split(":")[1]?.trim() ?? "").filter(Boolean).sort();
}

/** The pod's chains and the jumps to them, in every table stage0 puts one. */
function podIptablesLines(): string[] {
  return ["nat", "raw"].flatMap((table) =>
    Bun.spawnSync(["iptables", "-w", "-t", table, "-S"]).stdout.toString().split("\n").filter((line) => line.includes(`RKT-PFWD-${uuid.slice(0, 8)}`)),
  );
}

function reservations(): string[] {
  return ["good", "second"].flatMap((network) => {
    const dir = join(ipamDir, network);
    return existsSync(dir) ? readdirSync(dir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)) : [];
  });
}

describe("pod network setup", () => {
  test("a failure half-way deletes the networks already added and leaves no trace in the pod", () => {
    const linksBefore = hostLinks();
    expect(() => setUpPodNetwork({ podPath, uuid, selection: "good,second,broken", localConfig, stage1Plugins, manifest: manifest(), warn: () => {} })).toThrow(
      `error adding network "broken": Could not find plugin "no-such-plugin": install it in one of /usr/lib/rkt/plugins/net, /usr/lib/cni, /opt/cni/bin`,
    );
    expect(reservations()).toEqual([]);
    expect(hostLinks()).toEqual(linksBefore);
    expect(readdirSync(podPath)).toEqual([]);
  });

  test("the networks are added as eth0, eth1, ... with their addresses recorded for list, status and gc", () => {
    const joined = setUpPodNetwork({ podPath, uuid, selection: "good,second", localConfig, stage1Plugins, manifest: manifest() });
    try {
      expect(joined.map((n) => [n.netName, n.ifName, n.netConf, n.mask])).toEqual([
        ["good", "eth0", "net/good.conf", "255.255.255.0"],
        ["second", "eth1", "net/second.conf", "255.255.255.0"],
        ["default-restricted", "eth2", "net/default-restricted.conf", "255.255.255.0"],
      ]);
      expect(JSON.parse(readFileSync(join(podPath, "net-info.json"), "utf8"))).toEqual(joined);
      expect(reservations().sort()).toEqual([joined[0]!.ip, joined[1]!.ip].sort());
      const inside = Bun.spawnSync(["nsenter", `--net=${join(podPath, "netns")}`, "ip", "-4", "-o", "addr"]).stdout.toString();
      for (const network of joined) expect(inside).toContain(`${network.ifName}    inet ${network.ip}/24`);
    } finally {
      const gc = Bun.spawnSync([join(repoRoot, "dist/build/stage1-layout/rootfs/gc"), uuid], { cwd: podPath });
      expect(gc.exitCode).toBe(0);
    }
    expect(reservations()).toEqual([]);
    expect(readdirSync(podPath).sort()).toEqual(["net", "net-info.json"]);
  });

  test("a port forwarding iptables refuses half-way is undone with the networks: no chain or jump of the pod is left", () => {
    const linksBefore = hostLinks();
    expect(() =>
      setUpPodNetwork({ podPath, uuid, selection: "good", localConfig, stage1Plugins, manifest: manifest([{ name: "http", hostPort: 8080 }], "nosuchproto"), warn: () => {} }),
    ).toThrow(/^iptables -t nat -A RKT-PFWD-0badc0de-SNAT .*-p nosuchproto/);
    expect(podIptablesLines()).toEqual([]);
    expect(reservations()).toEqual([]);
    expect(hostLinks()).toEqual(linksBefore);
    expect(readdirSync(podPath)).toEqual([]);
  });

  test("an unknown port name fails before anything is set up", () => {
    expect(() => setUpPodNetwork({ podPath, uuid, selection: "good", localConfig, stage1Plugins, manifest: manifest([{ name: "nope", hostPort: 8080 }]) })).toThrow(
      'Port name "nope" is not defined by any apps',
    );
    expect(readdirSync(podPath)).toEqual([]);
  });
});
