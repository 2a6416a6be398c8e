import { describe, expect, test } from "bun:test";
import { parseGoBool, parseImageString, parseNameKeyValues } from "../../../src/appc";

describe("image strings NAME[:VERSION][,LABEL=VALUE...]", () => {
  test("a bare name has no labels", () => {
    expect(parseImageString("coreos.com/etcd")).toEqual({ name: "coreos.com/etcd", labels: [] });
  });

  test("the version after ':' becomes the version label", () => {
    expect(parseImageString("example.com/app:1.0.0")).toEqual({ name: "example.com/app", labels: [{ name: "version", value: "1.0.0" }] });
  });

  test("labels after commas, values percent-decoded and '+' as space", () => {
    expect(parseImageString("example.com/app,channel=alpha,os=linux,note=a%2Cb+c").labels).toEqual([
      { name: "channel", value: "alpha" },
      { name: "os", value: "linux" },
      { name: "note", value: "a,b c" },
    ]);
  });

  test("a repeated label is an error, also when the version is given twice", () => {
    expect(() => parseImageString("example.com/app,version=1,version=2")).toThrow("label version with multiple values [1 2]");
    expect(() => parseImageString("example.com/app:1,version=2")).toThrow("label version with multiple values");
  });

  test("the name must be an AC identifier", () => {
    expect(() => parseImageString("Example.com/App")).toThrow("bad image name");
    expect(() => parseImageString(",os=linux")).toThrow("the name is empty");
  });

  test("label names and the os/arch pair are validated", () => {
    expect(() => parseImageString("example.com/app,Bad=1")).toThrow("bad labels");
    expect(() => parseImageString("example.com/app,os=plan9")).toThrow('bad os "plan9"');
    expect(() => parseImageString("example.com/app,name=x")).toThrow("label name with multiple values");
  });

  test("bad percent escapes are reported", () => {
    expect(() => parseImageString("example.com/app,x=%zz")).toThrow("invalid escape");
  });
});

describe("NAME,key=value lists (volumes, mounts, ports, isolators)", () => {
  const volumeKeys = { kind: "string", source: "string", readOnly: "boolean" } as const;

  test("values are decoded and booleans follow Go's rules", () => {
    expect(parseNameKeyValues("data,kind=host,source=/srv/my%20data,readOnly=T", volumeKeys, "volume")).toEqual({
      name: "data",
      values: { kind: "host", source: "/srv/my data", readOnly: true },
    });
    for (const [text, value] of [["1", true], ["TRUE", true], ["True", true], ["0", false], ["f", false], ["FALSE", false]] as const) {
      expect(parseNameKeyValues(`v,readOnly=${text}`, volumeKeys).values.readOnly).toBe(value);
    }
  });

  test("unknown, repeated and badly typed keys are errors", () => {
    expect(() => parseNameKeyValues("v,kind=host,color=red", volumeKeys, "volume")).toThrow('unknown volume parameter "color"');
    expect(() => parseNameKeyValues("v,kind=host,kind=empty", volumeKeys, "volume")).toThrow('volume parameter "kind" with multiple values [host empty]');
    expect(() => parseNameKeyValues("v,readOnly=yes", volumeKeys, "volume")).toThrow('volume parameter "readOnly": invalid boolean "yes"');
    expect(() => parseNameKeyValues(",kind=host", volumeKeys, "volume")).toThrow("the name is empty");
  });

  test("Go's ParseBool spellings only", () => {
    expect(parseGoBool("t")).toBe(true);
    expect(parseGoBool("yes")).toBeUndefined();
    expect(parseGoBool("tRUE")).toBeUndefined();
  });
});
