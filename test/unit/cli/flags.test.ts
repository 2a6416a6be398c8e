import { describe, expect, test } from "bun:test";
import { formatGoDuration, parseGoDuration, parseTokens, type FlagDefs } from "../../../src/cli/flags";
import { UsageError } from "../../../src/cli/errors";

const defs: FlagDefs = {
  "no-overlay": { type: "boolean" },
  debug: { type: "boolean", default: false },
  dir: { type: "string", default: "/var/lib/rkt" },
  volume: { type: "string", repeatable: true },
  "private-net": { type: "string", optionalValue: "all" },
};

describe("flag parsing follows pflag", () => {
  test("--no-overlay is a flag of its own, not a negation", () => {
    expect(parseTokens(["--no-overlay"], defs).values["no-overlay"]).toBe(true);
  });

  test("values come after = or as the next token", () => {
    expect(parseTokens(["--dir=/a"], defs).values.dir).toBe("/a");
    expect(parseTokens(["--dir", "/b"], defs).values.dir).toBe("/b");
  });

  test("booleans take =false but never a separate value", () => {
    expect(parseTokens(["--debug=false"], defs).values.debug).toBe(false);
    const parsed = parseTokens(["--debug", "false"], defs);
    expect(parsed.values.debug).toBe(true);
    expect(parsed.positionals).toEqual(["false"]);
  });

  test("repeatable flags keep every value in order", () => {
    expect(parseTokens(["--volume=a", "x", "--volume", "b"], defs).values.volume).toEqual(["a", "b"]);
  });

  test("unknown flags and missing values are usage errors", () => {
    expect(() => parseTokens(["--bogus"], defs)).toThrow(UsageError);
    expect(() => parseTokens(["--dir"], defs)).toThrow("flag needs an argument: --dir");
    expect(() => parseTokens(["--debug=maybe"], defs)).toThrow(UsageError);
  });

  test("a single-dash token is a mistyped flag, not a positional, until parsing stops", () => {
    expect(() => parseTokens(["-x"], defs)).toThrow("unknown shorthand flag: 'x' in -x");
    expect(parseTokens(["-"], defs).positionals).toEqual(["-"]);
    expect(parseTokens(["uuid", "-x"], defs, { stopAtPositional: true }).rest).toEqual(["uuid", "-x"]);
  });

  test("stop-at-positional leaves the command's own flags alone", () => {
    const parsed = parseTokens(["--debug", "uuid", "ls", "--dir=/x"], defs, { stopAtPositional: true });
    expect(parsed.values.debug).toBe(true);
    expect(parsed.values.dir).toBe("/var/lib/rkt");
    expect(parsed.rest).toEqual(["uuid", "ls", "--dir=/x"]);
  });

  test("a flag with an optional value takes it only after =, so the next token stays positional", () => {
    const bare = parseTokens(["--private-net", "0123abcd"], defs);
    expect(bare.values["private-net"]).toBe("all");
    expect(bare.positionals).toEqual(["0123abcd"]);
    expect(parseTokens(["--private-net=a,b"], defs).values["private-net"]).toBe("a,b");
  });

  test("a lone -- ends flag parsing", () => {
    expect(parseTokens(["a", "--", "--debug"], defs).rest).toEqual(["--debug"]);
  });
});

describe("Go durations", () => {
  test("parses the forms rkt's flags use", () => {
    expect(parseGoDuration("30m", "--grace-period")).toBe(30 * 60_000);
    expect(parseGoDuration("1h30m", "--x")).toBe(90 * 60_000);
    expect(parseGoDuration("0s", "--x")).toBe(0);
    expect(parseGoDuration("1.5s", "--x")).toBe(1500);
    expect(() => parseGoDuration("soon", "--x")).toThrow(UsageError);
  });

  test("prints them as Go does", () => {
    expect(formatGoDuration(30 * 60_000)).toBe("30m0s");
    expect(formatGoDuration(24 * 3_600_000)).toBe("24h0m0s");
    expect(formatGoDuration(0)).toBe("0s");
  });
});
