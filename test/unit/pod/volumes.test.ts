import { describe, expect, test } from "bun:test";
import { parseMountFlag, parseVolumeFlag } from "../../../src/cli/pod-flag-values";
import { applyMountFlags, missingVolumeMessage, resolveMounts } from "../../../src/pod/volumes";

describe("--volume", () => {
  test("parses host and empty volumes with percent-decoded values", () => {
    expect(parseVolumeFlag("data,kind=host,source=/srv/my%20data,readOnly=true")).toEqual({ name: "data", kind: "host", source: "/srv/my data", readOnly: true });
    expect(parseVolumeFlag("scratch,kind=empty")).toEqual({ name: "scratch", kind: "empty" });
  });

  test.each([
    ["d,kind=host,source=/x,color=red", 'unknown volume parameter "color"'],
    ["d,kind=host,source=/x,kind=host", 'volume parameter "kind" specified more than once'],
    ["d,kind=host", "source for host volume cannot be empty"],
    ["d,kind=host,source=rel", "source for host volume must be absolute path"],
    ["d,kind=empty,source=/x", "source for empty volume must be empty"],
    ["d,kind=tmp", 'unrecognized volume kind "tmp": should be one of "empty", "host"'],
    ["Bad_Name,kind=empty", "not a valid AC name"],
    ["d,kind=empty,readOnly=maybe", 'invalid argument "maybe"'],
  ])("rejects %s", (text, message) => {
    expect(() => parseVolumeFlag(text)).toThrow(message);
  });
});

describe("--mount", () => {
  test("adds a mount point bound to the volume, renamed when the image has one of that name", () => {
    const mount = parseMountFlag("volume=data,target=/srv");
    const app = { exec: ["/x"], user: "0", group: "0", mountPoints: [{ name: "data", path: "/data" }] };
    expect(applyMountFlags(app, [mount])).toEqual([{ volume: "data", mountPoint: "data-2" }]);
    expect(app.mountPoints).toEqual([
      { name: "data", path: "/data" },
      { name: "data-2", path: "/srv" },
    ]);
  });

  test("needs an absolute target", () => {
    expect(() => parseMountFlag("volume=data,target=srv")).toThrow("target must be an absolute path");
  });
});

describe("mount point resolution", () => {
  const app = { exec: ["/x"], user: "0", group: "0", mountPoints: [{ name: "work", path: "/work", readOnly: true }, { name: "logs", path: "/logs" }] };

  test("matches by name, the volume's readOnly overriding the mount point's", () => {
    const { mounts, missing } = resolveMounts({ name: "a", image: { id: "sha512-aa" } }, app, [
      { name: "work", kind: "host", source: "/w", readOnly: false },
      { name: "logs", kind: "empty" },
    ]);
    expect(missing).toEqual([]);
    expect(mounts.map((m) => [m.path, m.readOnly])).toEqual([
      ["/work", false],
      ["/logs", false],
    ]);
  });

  test("names the volumes an app still needs", () => {
    const { missing } = resolveMounts({ name: "a", image: { id: "sha512-aa" } }, app, []);
    const message = missingVolumeMessage("reduce-worker", "sha512-aa", missing);
    expect(message.split("\n")[0]).toBe('no volume for mountpoint "work" in app "reduce-worker".');
    expect(message).toContain("\t--volume logs,kind=host,source=/some/path");
  });
});
