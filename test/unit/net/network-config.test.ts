import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkNetworkSelection } from "../../../src/net";
import { tempDir } from "../../support/harness";

let config: { path: string; cleanup: () => void };

beforeEach(() => {
  config = tempDir("rkt-netd-");
  mkdirSync(join(config.path, "net.d"));
});
afterEach(() => config.cleanup());

function defineNetwork(file: string, body: Record<string, unknown>): void {
  writeFileSync(join(config.path, "net.d", file), JSON.stringify(body));
}

describe("network selection", () => {
  test("the bare flag joins every net.d network in file-name order, then the built-in default", () => {
    defineNetwork("20-b.conf", { name: "b", type: "bridge" });
    defineNetwork("10-a.conf", { name: "a", type: "ptp" });
    defineNetwork("30-c.json", { name: "c", type: "ptp" });
    expect(checkNetworkSelection("all", config.path)).toEqual(["a", "b", "default"]);
  });

  test("a list joins the named networks plus default-restricted", () => {
    defineNetwork("10-a.conf", { name: "a", type: "ptp" });
    defineNetwork("20-b.conf", { name: "b", type: "ptp" });
    expect(checkNetworkSelection("b", config.path)).toEqual(["b", "default-restricted"]);
    expect(checkNetworkSelection("b,default", config.path)).toEqual(["b", "default"]);
  });

  test("a user network named default replaces the built-in one", () => {
    defineNetwork("10-mine.conf", { name: "default", type: "bridge" });
    expect(checkNetworkSelection("all", config.path)).toEqual(["default"]);
  });

  test("the first definition of a name wins", () => {
    defineNetwork("10-a.conf", { name: "a", type: "ptp" });
    defineNetwork("20-a.conf", { name: "a", type: "bridge" });
    expect(checkNetworkSelection("all", config.path)).toEqual(["a", "default"]);
  });

  test("none joins no network, not even the built-in one, and stands alone", () => {
    defineNetwork("10-a.conf", { name: "a", type: "ptp" });
    expect(checkNetworkSelection("none", config.path)).toEqual([]);
    expect(() => checkNetworkSelection("none,a", config.path)).toThrow('"none" (loopback only) cannot be combined with other networks');
  });

  test("unknown names are listed in one error", () => {
    expect(() => checkNetworkSelection("x,default,y", config.path)).toThrow("networks not found: x, y");
  });

  test("a config without a type names its file", () => {
    defineNetwork("10-a.conf", { name: "a" });
    expect(() => checkNetworkSelection("all", config.path)).toThrow(`${join(config.path, "net.d", "10-a.conf")}: network "a" has no "type"`);
  });

  test("a missing net.d leaves only the built-in networks", () => {
    expect(checkNetworkSelection("all", join(config.path, "nowhere"))).toEqual(["default"]);
  });
});
