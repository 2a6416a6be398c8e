import { describe, expect, test } from "bun:test";
import { archiveReference, canonicalReference } from "../../../src/docker/archive-reference";

describe("archiveReference", () => {
  test("a full reference is named as a registry would name it; docker.io/ is Docker Hub spelled out", () => {
    expect(archiveReference("docker.io/repo/x:tag", "/a.tar")).toMatchObject({ registry: "index.docker.io", repository: "repo/x", tag: "tag", dockerHub: true });
    expect(canonicalReference(archiveReference("docker.io/library/busybox:1.36", "/a.tar"))).toBe(canonicalReference(archiveReference("busybox:1.36", "/a.tar")));
    expect(archiveReference("quay.io/coreos/etcd:v2", "/a.tar")).toMatchObject({ registry: "quay.io", repository: "coreos/etcd", tag: "v2" });
  });

  test("a bare tag names the image localhost/<path's name>, lowercased and made a valid repository", () => {
    expect(archiveReference("v1", "/srv/My App.tar")).toMatchObject({ registry: "localhost", repository: "my-app", tag: "v1" });
    expect(archiveReference(undefined, "/srv/layouts/Hello_World/")).toMatchObject({ registry: "localhost", repository: "hello_world", tag: "latest" });
    expect(archiveReference(undefined, "/srv/---")).toMatchObject({ repository: "image" });
  });
});
