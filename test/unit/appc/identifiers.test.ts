import { describe, expect, test } from "bun:test";
import { acIdentifierProblem, acNameProblem, appNameFromImageName, isACIdentifier, isACName, sanitizeACName } from "../../../src/appc";

describe("AC identifiers", () => {
  test("accept lower-case names with inner separators -._~/", () => {
    for (const s of ["a", "coreos.com/etcd", "example.com/a_b~c-d.e", "0x1"]) expect(isACIdentifier(s)).toBe(true);
  });

  test("reject empty, upper case, bad characters and bad edges", () => {
    for (const s of ["", "Etcd", "a b", "a@b", "/a", "a/", "a//b", "-a"]) expect(isACIdentifier(s)).toBe(false);
  });

  test("problems distinguish empty, bad character and bad edge", () => {
    expect(acIdentifierProblem("")).toBe("must be set");
    expect(acIdentifierProblem("a@b")).toContain("only lower-case letters, digits and -._~/");
    expect(acIdentifierProblem("a/")).toContain("must start and end with a letter or digit");
    expect(acIdentifierProblem("ok.com/x")).toBeUndefined();
  });
});

describe("AC names", () => {
  test("allow only lower-case alphanumerics and inner single dashes", () => {
    expect(isACName("my-app-2")).toBe(true);
    for (const s of ["", "my_app", "a/b", "-a", "a-", "a--b", "A"]) expect(isACName(s)).toBe(false);
    expect(acNameProblem("a.b")).toContain("only lower-case letters, digits and -");
  });

  test("sanitizing lower-cases, replaces invalid characters and strips edge dashes", () => {
    expect(sanitizeACName("My_App.v2")).toBe("my-app-v2");
    expect(sanitizeACName("--x--")).toBe("x");
    expect(sanitizeACName("a__b")).toBe("a-b");
    expect(isACName(sanitizeACName("_Weird..Name_"))).toBe(true);
    expect(() => sanitizeACName("___")).toThrow("no letter or digit");
  });

  test("an app is named after the last component of its image name", () => {
    expect(appNameFromImageName("coreos.com/etcd")).toBe("etcd");
    expect(appNameFromImageName("example.com/group/Reduce_Worker")).toBe("reduce-worker");
    expect(appNameFromImageName("busybox")).toBe("busybox");
  });
});
