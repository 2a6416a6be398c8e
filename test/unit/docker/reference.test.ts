import { describe, expect, test } from "bun:test";
import { parseDockerReference } from "../../../src/docker";

describe("parseDockerReference", () => {
  test("a one-component Docker Hub name gets library/ and the latest tag", () => {
    expect(parseDockerReference("docker://busybox")).toMatchObject({ registry: "index.docker.io", repository: "library/busybox", tag: "latest", dockerHub: true });
  });

  test("a first component without . or : is a Docker Hub user, not a registry", () => {
    expect(parseDockerReference("docker://someone/app:1.2")).toMatchObject({ registry: "index.docker.io", repository: "someone/app", tag: "1.2" });
  });

  test("host:port is a registry and its port is not a tag", () => {
    expect(parseDockerReference("docker://127.0.0.1:5000/app")).toMatchObject({ registry: "127.0.0.1:5000", apiBase: "http://127.0.0.1:5000", repository: "app", tag: "latest" });
  });

  test("loopback registries are plain http, others https", () => {
    expect(parseDockerReference("docker://localhost/a/b:t").apiBase).toBe("http://localhost");
    expect(parseDockerReference("docker://quay.io/coreos/etcd:v2").apiBase).toBe("https://quay.io");
  });

  test("rejects an invalid repository name", () => {
    expect(() => parseDockerReference("docker://quay.io/Upper/Case")).toThrow("invalid docker repository name");
  });
});
