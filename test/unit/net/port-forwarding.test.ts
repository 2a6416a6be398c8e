import { describe, expect, test } from "bun:test";
import type { App } from "../../../src/appc";
import { parsePortFlag } from "../../../src/cli/pod-flag-values";
import { resolvePortForwards } from "../../../src/net/port-forwarding";

function app(ports: App["ports"]): App {
  return { exec: ["/bin/true"], user: "0", group: "0", ports } as App;
}

describe("--port", () => {
  test("NAME:HOSTPORT becomes an exposed port of the pod", () => {
    expect(parsePortFlag("http:8080")).toEqual({ name: "http", hostPort: 8080 });
  });

  test("a value without a valid host port is refused", () => {
    for (const bad of ["http", "http:", ":80", "http:0", "http:65536", "Http:80"]) expect(() => parsePortFlag(bad)).toThrow("not NAME:HOSTPORT");
  });

  test("a port name resolves to the protocol and port of the one app declaring it", () => {
    const apps = [
      { name: "web", app: app([{ name: "http", protocol: "tcp", port: 80 }]) },
      { name: "dns", app: app([{ name: "dns", protocol: "udp", port: 53 }]) },
    ];
    expect(resolvePortForwards([{ name: "dns", hostPort: 5353 }, { name: "http", hostPort: 8080 }], apps)).toEqual([
      { protocol: "udp", hostPort: 5353, podPort: 53 },
      { protocol: "tcp", hostPort: 8080, podPort: 80 },
    ]);
  });

  test("a port name no app declares is an error", () => {
    expect(() => resolvePortForwards([{ name: "nope", hostPort: 1 }], [{ name: "web", app: app([]) }])).toThrow('Port name "nope" is not defined by any apps');
  });

  test("a port name two apps declare is ambiguous", () => {
    const http = [{ name: "http", protocol: "tcp", port: 80 }];
    expect(() => resolvePortForwards([{ name: "http", hostPort: 1 }], [{ name: "a", app: app(http) }, { name: "b", app: app(http) }])).toThrow(
      'Ambiguous exposed port in PodManifest: "a" and "b" both define port "http"',
    );
  });
});
