import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readAuthConfig } from "../../../src/fetch/auth-config";
import { tempDir } from "../../support/harness";

let dirs: { path: string; cleanup: () => void }[] = [];
afterEach(() => {
  for (const dir of dirs) dir.cleanup();
  dirs = [];
});

function configs() {
  const dir = tempDir("rkt-auth-");
  dirs.push(dir);
  return { systemConfig: join(dir.path, "system"), localConfig: join(dir.path, "local") };
}

function writeAuth(config: string, file: string, content: unknown): string {
  mkdirSync(join(config, "auth.d"), { recursive: true });
  const path = join(config, "auth.d", file);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const basic = (domains: string[], user = "foo") => ({ rktKind: "auth", rktVersion: "v1", domains, type: "basic", credentials: { user, password: "bar" } });

describe("auth.d", () => {
  test("basic and oauth headers go to the exact host[:port], over https only", () => {
    const dirs = configs();
    writeAuth(dirs.localConfig, "a.json", basic(["example.com", "registry.example.com:8443"]));
    writeAuth(dirs.localConfig, "b.json", { rktKind: "auth", rktVersion: "v1", domains: ["token.example.com"], type: "oauth", credentials: { token: "T" } });
    const auth = readAuthConfig(dirs);
    const fooBar = { Authorization: `Basic ${Buffer.from("foo:bar").toString("base64")}` };
    expect(auth.headersFor("https://example.com/app.aci")).toEqual(fooBar);
    expect(auth.headersFor("https://registry.example.com:8443/x")).toEqual(fooBar);
    expect(auth.headersFor("https://token.example.com/x")).toEqual({ Authorization: "Bearer T" });
    expect(auth.headersFor("http://example.com/app.aci")).toEqual({});
    expect(auth.headersFor("https://example.com:8443/app.aci")).toEqual({});
    expect(auth.headersFor("https://registry.example.com/x")).toEqual({});
    expect(auth.headersFor("https://sub.example.com/x")).toEqual({});
  });

  test("the local config overrides the system one per domain; dockerAuth files give registry credentials", () => {
    const dirs = configs();
    writeAuth(dirs.systemConfig, "a.json", basic(["example.com", "other.com"], "system"));
    writeAuth(dirs.localConfig, "a.json", basic(["example.com"], "local"));
    writeAuth(dirs.localConfig, "d.json", { rktKind: "dockerAuth", rktVersion: "v1", registries: ["quay.io"], credentials: { user: "u", password: "p" } });
    const auth = readAuthConfig(dirs);
    expect(auth.headersFor("https://example.com/")).toEqual({ Authorization: `Basic ${Buffer.from("local:bar").toString("base64")}` });
    expect(auth.headersFor("https://other.com/")).toEqual({ Authorization: `Basic ${Buffer.from("system:bar").toString("base64")}` });
    expect(auth.dockerCredentials("quay.io")).toEqual({ user: "u", password: "p" });
    expect(auth.dockerCredentials("index.docker.io")).toBeUndefined();
  });

  test("only regular .json files directly in auth.d are read", () => {
    const dirs = configs();
    const real = writeAuth(dirs.localConfig, "real.txt", basic(["example.com"]));
    writeAuth(dirs.localConfig, "notes.txt", "not json");
    symlinkSync(real, join(dirs.localConfig, "auth.d", "link.json"));
    mkdirSync(join(dirs.localConfig, "auth.d", "sub.json"));
    expect(readAuthConfig(dirs).headersFor("https://example.com/")).toEqual({});
  });

  test("bad files abort with rkt's messages", () => {
    const cases: [unknown, string][] = [
      [{ rktVersion: "v1" }, 'no rktKind specified in "F"'],
      [{ rktKind: "auth" }, 'no rktVersion specified in "F"'],
      [{ rktKind: "net", rktVersion: "v1" }, `the configuration directory "D" expects to have configuration files of kinds "auth", "dockerAuth", but "F" has kind of "net"`],
      [{ rktKind: "auth", rktVersion: "v2" }, 'no parser available for configuration of kind "auth" and version "v2"'],
      [{ rktKind: "auth", rktVersion: "v1", type: "basic", credentials: { user: "u", password: "p" } }, 'no domains specified in "F"'],
      [{ rktKind: "auth", rktVersion: "v1", domains: ["a.com"] }, 'no auth type specified in "F"'],
      [{ rktKind: "auth", rktVersion: "v1", domains: ["a.com"], type: "digest" }, 'unknown auth type: "digest" in "F"'],
      [{ rktKind: "auth", rktVersion: "v1", domains: ["a.com"], type: "basic", credentials: { password: "p" } }, 'user not specified in "F"'],
      [{ rktKind: "auth", rktVersion: "v1", domains: ["a.com"], type: "basic", credentials: { user: "u" } }, 'password not specified in "F"'],
      [{ rktKind: "auth", rktVersion: "v1", domains: ["a.com"], type: "oauth", credentials: {} }, 'no oauth bearer token specified in "F"'],
    ];
    for (const [content, message] of cases) {
      const dirs = configs();
      const file = writeAuth(dirs.localConfig, "x.json", content);
      const expected = `cannot get configuration: ${message.replaceAll('"F"', JSON.stringify(file)).replaceAll('"D"', JSON.stringify(join(dirs.localConfig, "auth.d")))}`;
      expect(() => readAuthConfig(dirs)).toThrow(expected);
    }
  });

  test("the same domain twice within one config directory is an error", () => {
    const dirs = configs();
    writeAuth(dirs.localConfig, "a.json", basic(["example.com"]));
    writeAuth(dirs.localConfig, "b.json", basic(["example.com"]));
    expect(() => readAuthConfig(dirs)).toThrow('cannot get configuration: auth for domain "example.com" is already specified');
  });
});
