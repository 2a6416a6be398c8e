import { describe, expect, test } from "bun:test";
import { convertImageConfig, parseDockerReference } from "../../../src/docker";

const hub = parseDockerReference("docker://redis:7");

describe("convertImageConfig", () => {
  test("a relative first word runs through /bin/sh -c with the words quoted", () => {
    const manifest = convertImageConfig(hub, { config: { Cmd: ["redis-server", "--dir", "/my data"] } }, "sha256:00");
    expect(manifest.name).toBe("library/redis");
    expect(manifest.app?.exec).toEqual(["/bin/sh", "-c", "redis-server --dir '/my data'"]);
  });

  test("no Entrypoint and no Cmd means no app section", () => {
    expect(convertImageConfig(hub, { config: { Env: ["A=1"] } }, "sha256:00").app).toBeUndefined();
  });

  test("a user alone runs with group 0; no user is root", () => {
    expect(convertImageConfig(hub, { config: { Cmd: ["/x"], User: "1000" } }, "sha256:00").app).toMatchObject({ user: "1000", group: "0" });
    expect(convertImageConfig(hub, { config: { Cmd: ["/x"], User: "1000:50" } }, "sha256:00").app).toMatchObject({ user: "1000", group: "50" });
    expect(convertImageConfig(hub, { config: { Cmd: ["/x"] } }, "sha256:00").app).toMatchObject({ user: "0", group: "0" });
  });

  test("volumes whose names sanitise alike get -1, -2 suffixes; a port without protocol is tcp", () => {
    const app = convertImageConfig(hub, { config: { Cmd: ["/x"], Volumes: { "/a/b": {}, "/a_b": {}, "/a.b": {} }, ExposedPorts: { "80": {} } } }, "sha256:00").app!;
    expect(app.mountPoints?.map((m) => m.name)).toEqual(["volume-a-b", "volume-a-b-1", "volume-a-b-2"]);
    expect(app.ports).toEqual([{ name: "80", protocol: "tcp", port: 80 }]);
  });

  test("the epoch creation time is left out; architecture names become appc's", () => {
    const manifest = convertImageConfig(hub, { architecture: "arm64", os: "linux", created: "1970-01-01T00:00:00Z" }, "sha256:00");
    expect(manifest.annotations?.some((a) => a.name === "created")).toBe(false);
    expect(manifest.labels).toContainEqual({ name: "arch", value: "aarch64" });
  });

  test("an Env entry without = has an empty value; a port range becomes a port with a count", () => {
    const app = convertImageConfig(hub, { config: { Cmd: ["/x"], Env: ["EMPTY", "A=b=c"], ExposedPorts: { "8000-8009/udp": {} } } }, "sha256:00").app!;
    expect(app.environment).toEqual([
      { name: "EMPTY", value: "" },
      { name: "A", value: "b=c" },
    ]);
    expect(app.ports).toEqual([{ name: "8000-8009-udp", protocol: "udp", port: 8000, count: 10 }]);
  });

  test("a registry name that is not an AC identifier is sanitised into one", () => {
    expect(convertImageConfig(parseDockerReference("docker://[::1]:5000/a/b"), {}, "sha256:00").name).toBe("1-5000/a/b");
  });
});
