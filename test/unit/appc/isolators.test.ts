import { describe, expect, test } from "bun:test";
import {
  capabilityBoundingSet,
  capabilityNames,
  capabilityNumber,
  capabilitySets,
  cpuLimitMillicores,
  memoryLimitBytes,
  parseQuantity,
  type Isolator,
} from "../../../src/appc";

describe("quantities", () => {
  test("binary, decimal and plain forms of the same size are equal", () => {
    expect(parseQuantity("128974848")).toBe(128974848);
    expect(parseQuantity("125952Ki")).toBe(128974848);
    expect(parseQuantity("123Mi")).toBe(128974848);
  });

  test("every suffix", () => {
    const cases: Record<string, number> = {
      "1k": 1e3, "1M": 1e6, "1G": 1e9, "1T": 1e12, "1P": 1e15, "1E": 1e18,
      "1Ki": 1024, "1Mi": 2 ** 20, "1Gi": 2 ** 30, "1Ti": 2 ** 40, "1Pi": 2 ** 50, "1Ei": 2 ** 60,
      "800m": 0.8, "1e3": 1000, "5E-2": 0.05, "1.5G": 1.5e9, ".5": 0.5,
    };
    for (const [q, value] of Object.entries(cases)) expect([q, parseQuantity(q)]).toEqual([q, value]);
  });

  test("negative values become positive and precision rounds up to 10^-3", () => {
    expect(parseQuantity("-2Ki")).toBe(2048);
    expect(parseQuantity("0.0001")).toBe(0.001);
    expect(parseQuantity("1.0001")).toBe(1.001);
  });

  test("upper-case K, unknown suffixes and malformed numbers are rejected", () => {
    for (const q of ["1K", "1KB", "1kb", "abc", "", "1.2.3", "1 G", "Mi"]) expect(() => parseQuantity(q)).toThrow("is not valid");
  });
});

describe("resource limits", () => {
  const iso = (name: string, value: unknown): Isolator => ({ name, value });

  test("memory limit in bytes, the last isolator of the name counts", () => {
    expect(memoryLimitBytes([iso("resource/memory", { limit: "1G" }), iso("resource/memory", { request: "1Mi", limit: "2Mi" })])).toBe(2 * 2 ** 20);
    expect(memoryLimitBytes([iso("resource/memory", { request: "1G" })])).toBeUndefined();
    expect(memoryLimitBytes(undefined)).toBeUndefined();
  });

  test("CPU in millicores: 800m is 800, 1 is 1000", () => {
    expect(cpuLimitMillicores([iso("resource/cpu", { limit: "800m" })])).toBe(800);
    expect(cpuLimitMillicores([iso("resource/cpu", { limit: "1" })])).toBe(1000);
    expect(cpuLimitMillicores([iso("resource/cpu", { limit: "2.5" })])).toBe(2500);
    expect(cpuLimitMillicores([])).toBeUndefined();
  });

  test("bare JSON numbers are quantities too, as in the reference", () => {
    expect(memoryLimitBytes([iso("resource/memory", { limit: 1048576 })])).toBe(1048576);
    expect(cpuLimitMillicores([iso("resource/cpu", { limit: 2 })])).toBe(2000);
  });
});

describe("capabilities", () => {
  test("the table runs from CAP_CHOWN=0 to CAP_CHECKPOINT_RESTORE=40", () => {
    expect(capabilityNumber("CAP_CHOWN")).toBe(0);
    expect(capabilityNumber("CAP_NET_ADMIN")).toBe(12);
    expect(capabilityNumber("CAP_SYS_ADMIN")).toBe(21);
    expect(capabilityNumber("CAP_AUDIT_READ")).toBe(37);
    expect(capabilityNumber("CAP_CHECKPOINT_RESTORE")).toBe(40);
    expect(capabilityNames).toHaveLength(41);
    expect(() => capabilityNumber("CAP_FLY")).toThrow('unknown capability "CAP_FLY"');
  });

  test("retain and remove sets as numbers", () => {
    const isolators: Isolator[] = [
      { name: "os/linux/capabilities-retain-set", value: { set: ["CAP_KILL", "CAP_CHOWN"] } },
      { name: "os/linux/capabilities-remove-set", value: { set: ["CAP_MKNOD"] } },
    ];
    expect(capabilitySets(isolators)).toEqual({ retain: [5, 0], remove: [27] });
    expect(capabilitySets([])).toEqual({ retain: undefined, remove: undefined });
  });

  test("the bounding set keeps only the retain-set when there is one", () => {
    expect(capabilityBoundingSet([{ name: "os/linux/capabilities-retain-set", value: { set: ["CAP_NET_ADMIN", "CAP_CHOWN"] } }])).toEqual([0, 12]);
  });

  test("the bounding set drops the remove-set from the base", () => {
    const remove: Isolator[] = [{ name: "os/linux/capabilities-remove-set", value: { set: ["CAP_SYS_ADMIN"] } }];
    expect(capabilityBoundingSet(remove)).toHaveLength(40);
    expect(capabilityBoundingSet(remove)).not.toContain(21);
    expect(capabilityBoundingSet(remove, [0, 21, 5])).toEqual([0, 5]);
    expect(capabilityBoundingSet(undefined)).toHaveLength(41);
  });
});
