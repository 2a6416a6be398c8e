// A registry's image config blob with wrong JSON types is refused naming the blob and the
// field, never with a JavaScript error (`Spread syntax requires ...`, `JSON Parse error`).
import { describe, expect, test } from "bun:test";
import { parseImageConfig } from "../../../src/docker/image-config";

const digest = "sha256:0123abcd";
const blob = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

describe("parseImageConfig", () => {
  test("reads the fields the conversion uses", () => {
    const config = parseImageConfig(blob({ os: "linux", architecture: "amd64", config: { Entrypoint: ["/bin/sh"], Cmd: null, Env: ["A=1"], Volumes: { "/data": {} }, ExposedPorts: null } }), digest);
    expect(config).toMatchObject({ os: "linux", architecture: "amd64", config: { Entrypoint: ["/bin/sh"], Cmd: [], Env: ["A=1"], Volumes: { "/data": {} }, ExposedPorts: null } });
  });

  const refused: [string, unknown, string][] = [
    ["not JSON", "nonsense", 'invalid JSON: Unexpected identifier "nonsense"'],
    ["not an object", [1], "must be an object"],
    ["an Entrypoint that is not a list", { config: { Entrypoint: 5 } }, "config.Entrypoint: must be a list"],
    ["a Cmd with a number", { config: { Cmd: ["/bin/true", 5] } }, "config.Cmd[1]: must be a string"],
    ["an Env that is an object", { config: { Env: { A: "1" } } }, "config.Env: must be a list"],
    ["a User that is a number", { config: { User: 0 } }, "config.User: must be a string"],
    ["Volumes as a list", { config: { Volumes: ["/data"] } }, "config.Volumes: must be an object"],
    ["config as a string", { os: 5, config: "x" }, "os: must be a string; config: must be an object"],
  ];
  for (const [what, value, reason] of refused) {
    test(`refuses ${what}, naming the blob and the field`, () => {
      expect(() => parseImageConfig(blob(value), digest)).toThrow(`docker image config ${digest}: ${reason}`);
    });
  }
});
