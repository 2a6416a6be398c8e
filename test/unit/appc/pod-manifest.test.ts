import { describe, expect, test } from "bun:test";
import { ManifestError, parsePodManifest, serializePodManifest } from "../../../src/appc";
import { rktPodManifest } from "./fixtures";

function pod(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { acVersion: "0.8.0", acKind: "PodManifest", apps: [{ name: "app", image: { id: "sha512-aa" } }], ...extra };
}

function messageOf(value: unknown): string {
  try {
    parsePodManifest(value);
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    return (err as Error).message;
  }
  throw new Error("pod manifest was accepted");
}

describe("pod manifest parsing", () => {
  test("accepts rkt's generated manifest with null pod-level lists", () => {
    const m = parsePodManifest(JSON.stringify(rktPodManifest()));
    expect(m.apps[0]?.image.name).toBe("coreos.com/etcd");
    expect(m.volumes).toBeNull();
  });

  test("round trip keeps nulls and unknown fields", () => {
    const original = { ...rktPodManifest(), "x-extra": true };
    expect(JSON.parse(serializePodManifest(parsePodManifest(original)))).toEqual(original);
  });

  test("apps are required and their names unique AC names", () => {
    expect(messageOf(pod({ apps: undefined }))).toBe("apps: must be set");
    const dup = [{ name: "a", image: { id: "sha512-aa" } }, { name: "a", image: { id: "sha512-bb" } }];
    expect(messageOf(pod({ apps: dup }))).toBe('apps[1].name: duplicate apps of name "a"');
    expect(messageOf(pod({ apps: [{ name: "a.b", image: { id: "sha512-aa" } }] }))).toStartWith('apps[0].name: "a.b" is not a valid AC name');
  });

  test("each app needs an image with a sha512 id", () => {
    expect(messageOf(pod({ apps: [{ name: "a" }] }))).toBe("apps[0].image: must be set");
    expect(messageOf(pod({ apps: [{ name: "a", image: {} }] }))).toBe("apps[0].image.id: must be set");
    expect(messageOf(pod({ apps: [{ name: "a", image: { id: "md5-aa" } }] }))).toStartWith("apps[0].image.id: ");
  });

  test("an app override is validated like an image's app", () => {
    const apps = [{ name: "a", image: { id: "sha512-aa" }, app: { exec: ["x"], user: "0", group: "0" } }];
    expect(messageOf(pod({ apps }))).toBe("apps[0].app.exec[0]: must be an absolute path");
  });

  test("mounts name a volume and a mount point", () => {
    const apps = [{ name: "a", image: { id: "sha512-aa" }, mounts: [{ volume: "data" }] }];
    expect(messageOf(pod({ apps }))).toBe("apps[0].mounts[0].mountPoint: must be set");
  });

  test("volumes: kind and source rules", () => {
    expect(messageOf(pod({ volumes: [{ name: "v", kind: "host" }] }))).toBe("volumes[0].source: source for host volume cannot be empty");
    expect(messageOf(pod({ volumes: [{ name: "v", kind: "host", source: "rel" }] }))).toBe("volumes[0].source: source for host volume must be absolute path");
    expect(messageOf(pod({ volumes: [{ name: "v", kind: "empty", source: "/x" }] }))).toBe("volumes[0].source: source for empty volume must be empty");
    expect(messageOf(pod({ volumes: [{ name: "v", kind: "tmpfs" }] }))).toBe('volumes[0].kind: unrecognized volume kind "tmpfs": should be one of "empty", "host"');
    expect(messageOf(pod({ volumes: [{ kind: "empty" }] }))).toBe("volumes[0].name: must be set");
    const ok = parsePodManifest(pod({ volumes: [{ name: "v", kind: "host", source: "/srv", readOnly: true }, { name: "e", kind: "empty" }] }));
    expect(ok.volumes).toHaveLength(2);
  });

  test("pod isolators: resources allowed, capability sets are for apps only", () => {
    expect(parsePodManifest(pod({ isolators: [{ name: "resource/memory", value: { limit: "512Mi" } }] })).isolators).toHaveLength(1);
    expect(messageOf(pod({ isolators: [{ name: "os/linux/capabilities-retain-set", value: { set: ["CAP_KILL"] } }] }))).toBe(
      "isolators[0].name: os/linux/capabilities-retain-set applies to apps only",
    );
  });

  test("exposed ports carry an AC name and a host port", () => {
    expect(messageOf(pod({ ports: [{ name: "www", hostPort: 70000 }] }))).toBe("ports[0].hostPort: 70000 is not a port number (1-65535)");
    expect(messageOf(pod({ ports: [{ hostPort: 8080 }] }))).toBe("ports[0].name: must be set");
  });

  test("acKind of the other manifest type is refused", () => {
    expect(messageOf(pod({ acKind: "ImageManifest" }))).toBe('acKind: missing or bad ACKind (must be "PodManifest")');
  });
});
