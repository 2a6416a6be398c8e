import { describe, expect, test } from "bun:test";
import { hostOsArch, imageIdProblem, isImageId, isUuid, labelValue, labelsMatch, newUuid, normalizeImageKey, osArchProblem, parseUuid, shortImageId } from "../../../src/appc";

describe("UUIDs", () => {
  test("new UUIDs are random version 4 in canonical form", () => {
    const a = newUuid();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newUuid()).not.toBe(a);
  });

  test("parsing accepts 32 hex digits with or without dashes, any case", () => {
    const canonical = "6733c088-a2d1-44e5-bcb2-c60d8f1e0b2a";
    expect(parseUuid("6733C088A2D144E5BCB2C60D8F1E0B2A")).toBe(canonical);
    expect(parseUuid("6733c088-A2D1-44e5-bcb2-c60d8f1e0b2a")).toBe(canonical);
    expect(parseUuid(canonical)).toBe(canonical);
  });

  test("parsing rejects wrong lengths, non-hex and misplaced dashes", () => {
    for (const s of ["", "6733c088", "6733c088-a2d1-44e5-bcb2-c60d8f1e0b2", "zz33c088a2d144e5bcb2c60d8f1e0b2a", "6733c088a-2d1-44e5-bcb2-c60d8f1e0b2a"]) {
      expect(() => parseUuid(s)).toThrow("is not a UUID");
      expect(isUuid(s)).toBe(false);
    }
  });
});

describe("image IDs", () => {
  const full = "sha512-" + "0123456789abcdef".repeat(8);

  test("any sha512-<value> is an image ID, as in the reference", () => {
    expect(isImageId(full)).toBe(true);
    expect(isImageId("sha512-xyz")).toBe(true);
    expect(isImageId("sha256-aa")).toBe(false);
    expect(isImageId("sha512-")).toBe(false);
    expect(isImageId("sha512-aa-bb")).toBe(false);
    expect(imageIdProblem("sha256-aa")).toContain('unsupported hash algorithm "sha256"');
  });

  test("store keys are sha512- and the first 64 hex chars, lower-cased", () => {
    expect(normalizeImageKey(full)).toBe(full.slice(0, 7 + 64));
    expect(normalizeImageKey("sha512-ABCD")).toBe("sha512-abcd");
    expect(() => normalizeImageKey("sha512-a")).toThrow("too short");
    expect(() => normalizeImageKey("sha512-xyz")).toThrow("hexadecimal");
  });

  test("the short form is sha512- and 32 hex chars", () => {
    expect(shortImageId(full)).toBe(full.slice(0, 39));
  });
});

describe("os and arch", () => {
  test("the host maps to appc names", () => {
    const host = hostOsArch();
    expect(host.os).toBe("linux");
    const expected: Record<string, string> = { x64: "amd64", ia32: "i386", arm64: "aarch64" };
    if (expected[process.arch]) expect(host.arch).toBe(expected[process.arch]!);
    expect(osArchProblem(host.os, host.arch)).toBeUndefined();
  });

  test("the whitelist pairs os and arch", () => {
    expect(osArchProblem("linux", "aarch64")).toBeUndefined();
    expect(osArchProblem("freebsd", "arm")).toBeUndefined();
    expect(osArchProblem("darwin", "amd64")).toBe('bad arch "amd64" for darwin (must be one of: [x86_64 i386])');
    expect(osArchProblem("windows", "amd64")).toContain('bad os "windows"');
  });

  test("label lookup by name", () => {
    expect(labelValue([{ name: "os", value: "linux" }], "os")).toBe("linux");
    expect(labelValue(null, "os")).toBeUndefined();
  });

  test("wanted labels must all match; others are wildcards", () => {
    const have = [{ name: "os", value: "linux" }, { name: "version", value: "1.0" }];
    expect(labelsMatch([{ name: "version", value: "1.0" }], have)).toBe(true);
    expect(labelsMatch([], have)).toBe(true);
    expect(labelsMatch([{ name: "version", value: "2.0" }], have)).toBe(false);
    expect(labelsMatch([{ name: "arch", value: "amd64" }], have)).toBe(false);
  });
});
