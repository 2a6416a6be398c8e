import { describe, expect, test } from "bun:test";
import { asksForHelp, parseAppArgs } from "../../../src/cli/app-args";
import { flagDefaults, type FlagDefs } from "../../../src/cli/flags";

const defs: FlagDefs = {
  volume: { type: "string", repeatable: true },
  local: { type: "boolean", default: false },
  "private-net": { type: "string", optionalValue: "all" },
};

function parse(tokens: string[]) {
  const values = flagDefaults(defs);
  const apps = parseAppArgs(tokens, defs, values);
  return { apps, values };
}

describe("the run/prepare app list", () => {
  test("attaches --exec, --signature and -- arguments to the preceding image", () => {
    const { apps } = parse(["example.com/worker", "--exec=/bin/ov", "--", "--loglevel", "verbose", "---", "example.com/syncer", "--signature", "s.asc", "--", "--interval", "30s"]);
    expect(apps).toEqual([
      { image: "example.com/worker", exec: "/bin/ov", args: ["--loglevel", "verbose"] },
      { image: "example.com/syncer", signature: "s.asc", args: ["--interval", "30s"] },
    ]);
  });

  test("attaches rkt 1.x's --memory, --cpu, --user and --group to the preceding image", () => {
    const { apps } = parse(["img1", "--memory=64M", "--cpu=100m", "img2", "--user=1000", "--group=nogroup", "--", "x"]);
    expect(apps).toEqual([
      { image: "img1", memory: "64M", cpu: "100m", args: [] },
      { image: "img2", user: "1000", group: "nogroup", args: ["x"] },
    ]);
  });

  test("a single-dash token is a mistyped flag, not an image; after -- it is an app argument", () => {
    expect(() => parse(["-i", "example.com/worker"])).toThrow("unknown shorthand flag: 'i' in -i");
    expect(parse(["example.com/worker", "--", "-i"]).apps).toEqual([{ image: "example.com/worker", args: ["-i"] }]);
  });

  test("reads command flags anywhere between images", () => {
    const { apps, values } = parse(["--volume=a,kind=empty", "img1", "--local", "img2", "--volume", "b,kind=empty"]);
    expect(apps.map((a) => a.image)).toEqual(["img1", "img2"]);
    expect(values.volume).toEqual(["a,kind=empty", "b,kind=empty"]);
    expect(values.local).toBe(true);
  });

  test("the last -- block runs to the end of the line", () => {
    const { apps } = parse(["img", "--", "other-img", "--local"]);
    expect(apps).toEqual([{ image: "img", args: ["other-img", "--local"] }]);
  });

  test("bare --private-net means all and does not swallow the image", () => {
    const { apps, values } = parse(["--private-net", "img"]);
    expect(values["private-net"]).toBe("all");
    expect(apps.map((a) => a.image)).toEqual(["img"]);
    expect(parse(["--private-net=a,b", "img"]).values["private-net"]).toBe("a,b");
  });

  test("ignores a stray ---", () => {
    expect(parse(["---", "img", "---"]).apps).toEqual([{ image: "img", args: [] }]);
  });

  test.each([
    [["--", "x"], "an image is required before any app arguments"],
    [["img", "--", "a", "---", "--", "b"], "only one set of app arguments allowed per image"],
    [["--exec=/x", "img"], "--exec must follow an image"],
    [["img", "--exec="], '--exec "": must name a program'],
    [["--memory=64M", "img"], "--memory must follow an image"],
    [["img", "--memory=lots"], '--memory "lots": quantity "lots" is not valid'],
    [["img", "--cpu=0"], '--cpu "0": must be more than zero'],
    [["img", "--user="], '--user "": must not be empty'],
    [["img", "--group=a", "--group=b"], "--group specified multiple times for the same image"],
    [["img", "--exec=/a", "--exec=/b"], "--exec specified multiple times for the same image"],
    [["img", "--bogus"], "unknown flag: --bogus"],
  ])("rejects %j: %s", (tokens, message) => {
    expect(() => parse(tokens)).toThrow(message);
  });

  test("fetch takes no app arguments", () => {
    expect(() => parseAppArgs(["img", "--", "x"], defs, flagDefaults(defs), { allowAppArgs: false })).toThrow("app arguments unsupported");
  });

  test("finds --help outside app arguments only", () => {
    expect(asksForHelp(["img", "--help"])).toBe(true);
    expect(asksForHelp(["img", "--", "--help"])).toBe(false);
  });
});
