import { describe, expect, test } from "bun:test";
import { ManifestError, parsePodManifest, parseImageManifest } from "../../../src/appc";

const TAB = "\t";

function imageWith(app: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { acKind: "ImageManifest", acVersion: "0.6.1", name: "example.com/app", app: { exec: ["/bin/app"], user: "0", group: "0", ...app }, ...extra };
}

function problemsOf(parse: () => unknown): string[] {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    return (err as ManifestError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("manifest was accepted");
}

const tabFound = "must not contain control characters (found U+0009)";

describe("control characters in manifests", () => {
  test.each([
    ["the issue's mount point path", { mountPoints: [{ name: "data", path: "/data\trw\nhost\t/\t/hostroot" }] }, "app.mountPoints[0].path", "U+0009"],
    ["the path of exec", { exec: [`/bin/app${TAB}`, "arg"] }, "app.exec[0]", "U+0009"],
    ["the user", { user: `0${TAB}` }, "app.user", "U+0009"],
    ["the group", { group: "0\n" }, "app.group", "U+000A"],
    ["the working directory", { workingDirectory: "/srv\x7f" }, "app.workingDirectory", "U+007F"],
    ["the path of an event handler", { eventHandlers: [{ name: "pre-start", exec: ["/bin/setup\x1b[2J"] }] }, "app.eventHandlers[0].exec[0]", "U+001B"],
    ["an environment variable name", { environment: [{ name: `A${TAB}`, value: "1" }] }, "app.environment[0].name", "U+0009"],
    ["a port name", { ports: [{ name: `http${TAB}`, protocol: "tcp", port: 80 }] }, "app.ports[0].name", "U+0009"],
    ["an isolator value", { isolators: [{ name: "os/linux/capabilities-retain-set", value: { set: [`CAP_CHOWN${TAB}`] } }] }, "app.isolators[0].value.set[0]", "U+0009"],
  ])("are refused in %s, naming the field", (_what, app, path, codePoint) => {
    expect(problemsOf(() => parseImageManifest(imageWith(app)))).toContain(`${path}: must not contain control characters (found ${codePoint})`);
  });

  test("are refused in annotations and labels", () => {
    const manifest = imageWith({}, { annotations: [{ name: "description", value: `two\nlines` }], labels: [{ name: "version", value: `1${TAB}` }] });
    const problems = problemsOf(() => parseImageManifest(manifest));
    expect(problems).toContain("annotations[0].value: must not contain control characters (found U+000A)");
    expect(problems).toContain(`labels[0].value: ${tabFound}`);
  });

  test("are refused in keys, naming the object that holds the key", () => {
    const manifest = imageWith({ isolators: [{ name: "resource/memory", value: { [`limit${TAB}`]: "1G" } }] });
    expect(problemsOf(() => parseImageManifest(manifest))).toContain(`app.isolators[0].value: a key ${tabFound}`);
  });

  test("an environment value may hold a TAB, a newline and a backslash, but not a NUL", () => {
    const value = "a\tb\nc\\d";
    expect(parseImageManifest(imageWith({ environment: [{ name: "A", value }] })).app?.environment?.[0]?.value).toBe(value);
    expect(problemsOf(() => parseImageManifest(imageWith({ environment: [{ name: "A", value: "a\0b" }] })))).toEqual([
      "app.environment[0].value: must not contain a NUL character",
    ]);
  });

  test("the arguments after a command's path may hold a multi-line script, but not a NUL", () => {
    const script = "set -e\n\techo one\n\techo two\\\n";
    const app = parseImageManifest(imageWith({ exec: ["/bin/sh", "-c", script], eventHandlers: [{ name: "post-stop", exec: ["/bin/sh", "-c", script] }] })).app;
    expect(app?.exec[2]).toBe(script);
    expect(app?.eventHandlers?.[0]?.exec[2]).toBe(script);
    expect(problemsOf(() => parseImageManifest(imageWith({ exec: ["/bin/sh", "-c", "a\0b"] })))).toEqual(["app.exec[2]: must not contain a NUL character"]);
  });

  test("a string that is not valid Unicode is refused everywhere", () => {
    const problems = problemsOf(() => parseImageManifest(JSON.stringify(imageWith({ exec: ["/bin/app"], environment: [{ name: "A", value: "\ud800" }] }))));
    expect(problems).toEqual(["app.environment[0].value: must be valid Unicode (it holds a lone UTF-16 surrogate)"]);
  });

  test("are refused in a pod manifest's volumes, mounts and apps", () => {
    const pod = {
      acKind: "PodManifest",
      acVersion: "0.6.1",
      apps: [{ name: "app", image: { id: `sha512-${"0".repeat(128)}` }, app: { exec: ["/bin/app\n"], user: "0", group: "0" }, mounts: [{ volume: "data", mountPoint: "data" }] }],
      volumes: [{ name: "data", kind: "host", source: `/srv${TAB}rw` }],
    };
    const problems = problemsOf(() => parsePodManifest(pod));
    expect(problems).toContain("apps[0].app.exec[0]: must not contain control characters (found U+000A)");
    expect(problems).toContain(`volumes[0].source: ${tabFound}`);
  });
});
