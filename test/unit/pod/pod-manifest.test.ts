import { describe, expect, test } from "bun:test";
import { parsePodManifest, serializePodManifest, type ImageManifest } from "../../../src/appc";
import { buildPodManifest, checkPodManifest } from "../../../src/pod/pod-manifest";

function image(name: string, app?: Partial<ImageManifest["app"]>): ImageManifest {
  return {
    acKind: "ImageManifest",
    acVersion: "0.6.1",
    name,
    labels: [{ name: "version", value: "1" }],
    annotations: [{ name: "authors", value: "me" }],
    ...(app ? { app: { exec: ["/bin/run", "--image-arg"], user: "0", group: "0", ...app } } : {}),
  } as ImageManifest;
}

const noFlags = { volumes: [], mounts: [], ports: [], setEnv: [] };

describe("generated pod manifest", () => {
  test("one app per image, named after the last name component, --exec replacing exec and args appended", () => {
    const pod = buildPodManifest(
      [
        { arg: { image: "a.aci", args: ["x"] }, key: "sha512-aa", manifest: image("example.com/Web_Server", {}) },
        { arg: { image: "b", exec: "/bin/other", args: ["y"] }, key: "sha512-bb", manifest: image("example.com/db", {}) },
      ],
      { ...noFlags, setEnv: [{ name: "E", value: "1" }] },
    );
    expect(pod.apps.map((a) => a.name)).toEqual(["web-server", "db"]);
    expect(pod.apps[0]!.app!.exec).toEqual(["/bin/run", "--image-arg", "x"]);
    expect(pod.apps[1]!.app!.exec).toEqual(["/bin/other", "y"]);
    expect(pod.apps[0]!.app!.environment).toEqual([{ name: "E", value: "1" }]);
    expect(pod.apps[0]!.image).toEqual({ id: "sha512-aa", name: "example.com/Web_Server", labels: [{ name: "version", value: "1" }] });
    expect(pod.apps[0]!.annotations).toEqual([{ name: "authors", value: "me" }]);
  });

  test("is a valid pod manifest", () => {
    const pod = buildPodManifest([{ arg: { image: "a", args: [] }, key: "sha512-aa", manifest: image("example.com/web", {}) }], {
      ...noFlags,
      volumes: [{ name: "data", kind: "empty" }],
      mounts: [{ volume: "data", target: "/data" }],
    });
    expect(() => parsePodManifest(serializePodManifest(pod))).not.toThrow();
    expect(pod.apps[0]!.mounts).toEqual([{ volume: "data", mountPoint: "data" }]);
  });

  test("refuses two apps of the same name and images without an app", () => {
    const web = { arg: { image: "a", args: [] }, key: "sha512-aa", manifest: image("example.com/web", {}) };
    expect(() => buildPodManifest([web, { ...web, key: "sha512-bb" }], noFlags)).toThrow("error: multiple apps with name web");
    expect(() => buildPodManifest([{ arg: { image: "lib.aci", args: [] }, key: "sha512-cc", manifest: image("example.com/lib") }], noFlags)).toThrow("error: image lib.aci has no app section");
  });

  test("a mount point without a volume fails before any pod exists", () => {
    const manifest = image("example.com/reduce-worker", { mountPoints: [{ name: "work", path: "/work" }] });
    const pod = buildPodManifest([{ arg: { image: "a", args: [] }, key: "sha512-aa", manifest }], noFlags);
    expect(() => checkPodManifest(pod, new Map([["reduce-worker", manifest]]))).toThrow('no volume for mountpoint "work" in app "reduce-worker".');
  });
});
