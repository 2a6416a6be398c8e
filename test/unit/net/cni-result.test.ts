import { describe, expect, test } from "bun:test";
import { parseAddResult } from "../../../src/net/cni-plugin";

describe("CNI ADD results", () => {
  test("the 0.1/0.2 ip4 form gives address, gateway and mask", () => {
    expect(parseAddResult(JSON.stringify({ ip4: { ip: "172.16.28.3/31", gateway: "172.16.28.2" } }))).toEqual({ ip: "172.16.28.3", gateway: "172.16.28.2", mask: "255.255.255.254" });
  });

  test("the 0.3+ ips form gives the first IPv4 address", () => {
    const result = { cniVersion: "1.0.0", ips: [{ address: "fd00::2/64" }, { address: "10.1.2.3/24", gateway: "10.1.2.1" }] };
    expect(parseAddResult(JSON.stringify(result))).toEqual({ ip: "10.1.2.3", gateway: "10.1.2.1", mask: "255.255.255.0" });
  });

  test("a result without IPv4 is refused", () => {
    expect(() => parseAddResult(JSON.stringify({ ips: [{ address: "fd00::2/64" }] }))).toThrow("net-plugin returned no IPv4 configuration");
  });
});
