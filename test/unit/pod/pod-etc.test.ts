import { describe, expect, test } from "bun:test";
import { parsePodEtcFlags } from "../../../src/pod";
import { podEtcFiles, resolvConfForPrivateNet } from "../../../src/pod/pod-etc";

const host = { localtime: Buffer.from("TZif zone"), resolvConf: "nameserver 127.0.0.53\nnameserver 192.0.2.1\n", hosts: "127.0.0.1 localhost\n" };
const none = { dns: [], dnsSearch: [], dnsOpt: [], hostsEntries: [] };

describe("resolvConfForPrivateNet", () => {
  test("drops IPv4 and IPv6 loopback name servers and keeps every other line", () => {
    expect(resolvConfForPrivateNet("# c\nnameserver 127.1.2.3\nnameserver ::1\nnameserver 0:0::0:1\nnameserver 2001:db8::53\noptions ndots:2\n")).toBe("# c\nnameserver 2001:db8::53\noptions ndots:2\n");
  });

  test("is undefined when only loopback name servers were named", () => {
    expect(resolvConfForPrivateNet("nameserver 127.0.0.53\nsearch example.org\n")).toBeUndefined();
  });
});

describe("parsePodEtcFlags", () => {
  test("takes IPv4 and IPv6 addresses and refuses what only looks like one", () => {
    const dns = (address: string) => () => parsePodEtcFlags({ ...none, dns: [address] });
    for (const good of ["192.0.2.1", "255.255.255.255", "2001:db8::1", "::ffff:192.0.2.1"]) expect(dns(good)).not.toThrow();
    for (const bad of ["256.0.0.1", "01.2.3.4", "1.2.3", "1::2::3", "fe80::1%eth0", "1]:53/[::1", "example.com"]) expect(dns(bad)).toThrow(`--dns: "${bad}" is not an IPv4 or IPv6 address`);
  });
});

describe("podEtcFiles", () => {
  test("without flags the host's files are defaults only, loopback resolvers dropped for a private network", () => {
    const hostNet = podEtcFiles({}, false, host);
    expect(hostNet.override.size).toBe(0);
    expect([...hostNet.fallback.keys()]).toEqual(["localtime", "resolv.conf", "hosts"]);
    expect(hostNet.fallback.get("resolv.conf")).toBe(host.resolvConf);
    const privateNet = podEtcFiles({}, true, host);
    expect(privateNet.fallback.get("resolv.conf")).toBe("nameserver 192.0.2.1\n");
    expect(privateNet.fallback.get("hosts")).not.toBe(host.hosts);
  });

  test("--dns=none leaves the resolv.conf to the image; flags override and keep the time zone a default", () => {
    const files = podEtcFiles(parsePodEtcFlags({ ...none, dns: ["none"], hostsEntries: ["host"] }), true, host);
    expect(files.fallback.has("resolv.conf")).toBe(false);
    expect(files.override.has("resolv.conf")).toBe(false);
    expect(files.override.get("hosts")).toBe(host.hosts);
    expect(files.fallback.get("localtime")).toEqual(host.localtime);
  });

  test("a host without the files gives no defaults but the hosts table", () => {
    const files = podEtcFiles({}, false, {});
    expect([...files.fallback.keys()]).toEqual(["hosts"]);
  });
});
