import { describe, expect, test } from "bun:test";
import { ManifestError, parseImageManifest, prettyManifest, serializeImageManifest } from "../../../src/appc";
import { aceValidatorMainManifest, fullImageManifest } from "./fixtures";

function minimal(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { acKind: "ImageManifest", acVersion: "0.6.1", name: "example.com/app", ...extra };
}

function withApp(app: Record<string, unknown>): Record<string, unknown> {
  return minimal({ app: { exec: ["/bin/app"], user: "0", group: "0", ...app } });
}

/** The problem messages of a manifest that must fail. */
function problemsOf(value: unknown): string[] {
  try {
    parseImageManifest(value);
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    return (err as ManifestError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("manifest was accepted");
}

describe("image manifest parsing", () => {
  test("accepts a full manifest and keeps it as given", () => {
    const m = parseImageManifest(JSON.stringify(fullImageManifest()));
    expect(m.name).toBe("example.com/batch-worker");
    expect(m.app?.eventHandlers?.[1]?.name).toBe("post-stop");
  });

  test("round trip loses no field, known or unknown", () => {
    const original: Record<string, unknown> = { ...fullImageManifest(), "x-vendor": { nested: [1, 2] } };
    (original.app as Record<string, unknown>).futureField = "kept";
    const again = JSON.parse(serializeImageManifest(parseImageManifest(JSON.stringify(original))));
    expect(again).toEqual(original);
  });

  test("the ACE validator's manifest round-trips unchanged", () => {
    const text = JSON.stringify(aceValidatorMainManifest());
    expect(serializeImageManifest(parseImageManifest(text))).toBe(text);
  });

  test("pretty printing indents with tabs and parses back to the same manifest", () => {
    const text = prettyManifest(parseImageManifest(fullImageManifest()));
    expect(text).toContain('\n\t"acKind": "ImageManifest"');
    expect(JSON.parse(text)).toEqual(fullImageManifest());
  });

  test("serialization is compact JSON", () => {
    expect(serializeImageManifest(parseImageManifest(minimal()))).toBe('{"acKind":"ImageManifest","acVersion":"0.6.1","name":"example.com/app"}');
  });

  test("invalid JSON is a ManifestError", () => {
    expect(() => parseImageManifest("{nope")).toThrow(ManifestError);
    expect(() => parseImageManifest("{nope")).toThrow("invalid JSON");
  });

  test("several problems are joined with '; '", () => {
    expect(() => parseImageManifest({ acKind: "ImageManifest" })).toThrow("acVersion: must be set; name: must be set");
  });
});

describe("image manifest validation names the JSON path of each problem", () => {
  test("acKind", () => {
    expect(problemsOf(minimal({ acKind: "X" }))).toEqual(["acKind: bad ACKind: X"]);
    expect(problemsOf(minimal({ acKind: "PodManifest" }))).toEqual(['acKind: missing or bad ACKind (must be "ImageManifest")']);
    expect(problemsOf(minimal({ acKind: undefined }))).toEqual(["acKind: must be set"]);
  });

  test("acVersion must be a non-zero semantic version", () => {
    expect(problemsOf(minimal({ acVersion: "0.0.0" }))).toEqual(["acVersion: must not be 0.0.0"]);
    expect(problemsOf(minimal({ acVersion: "1.2" }))[0]).toContain("acVersion: ");
    expect(parseImageManifest(minimal({ acVersion: "1.0.0-rc.1+build.5" })).acVersion).toBe("1.0.0-rc.1+build.5");
  });

  test("name", () => {
    expect(problemsOf(minimal({ name: "" }))).toEqual(["name: must be set"]);
    expect(problemsOf(minimal({ name: "Example.com/App" }))[0]).toStartWith('name: "Example.com/App" is not a valid AC identifier');
    expect(problemsOf(minimal({ name: 3 }))).toEqual(["name: must be a string"]);
  });

  test("labels: the name 'name', bad and duplicate names, os/arch whitelist", () => {
    const labels = (l: unknown[]) => problemsOf(minimal({ labels: l }));
    expect(labels([{ name: "a", value: "1" }, { name: "b", value: "2" }, { name: "name", value: "x" }])).toEqual(['labels[2].name: "name" is not a valid label name']);
    expect(labels([{ name: "A", value: "1" }])[0]).toStartWith("labels[0].name: ");
    expect(labels([{ name: "a", value: "1" }, { name: "a", value: "2" }])).toEqual(['labels[1].name: duplicate label name "a"']);
    expect(labels([{ name: "os", value: "plan9" }])).toEqual(['labels[0].value: bad os "plan9" (must be one of: [darwin freebsd linux])']);
    expect(labels([{ name: "arch", value: "x86_64" }, { name: "os", value: "linux" }])[0]).toStartWith('labels[0].value: bad arch "x86_64" for linux');
    expect(labels("nope" as unknown as unknown[])).toEqual(["labels: must be a list"]);
    expect(parseImageManifest(minimal({ labels: [{ name: "os", value: "darwin" }, { name: "arch", value: "x86_64" }] })).labels).toHaveLength(2);
    expect(parseImageManifest(minimal({ labels: [{ name: "arch", value: "anything" }] })).labels).toHaveLength(1);
  });

  test("app.exec must be a non-empty list starting with an absolute path", () => {
    expect(problemsOf(withApp({ exec: ["bin/app"] }))).toEqual(["app.exec[0]: must be an absolute path"]);
    expect(problemsOf(withApp({ exec: [] }))).toEqual(["app.exec: must not be empty"]);
    expect(problemsOf(withApp({ exec: undefined }))).toEqual(["app.exec: must be set"]);
    expect(problemsOf(withApp({ exec: ["/a", 5] }))).toEqual(["app.exec[1]: must be a string"]);
  });

  test("app.user and app.group are required", () => {
    expect(problemsOf(withApp({ user: "", group: undefined }))).toEqual(["app.user: must be set", "app.group: must be set"]);
  });

  test("event handlers: known names, one of each, valid exec", () => {
    const handlers = (h: unknown[]) => problemsOf(withApp({ eventHandlers: h }));
    expect(handlers([{ name: "pre-start", exec: ["/a"] }, { name: "pre-start", exec: ["/b"] }])).toEqual(['app.eventHandlers[1].name: only one eventHandler of name "pre-start" allowed']);
    expect(handlers([{ name: "on-boot", exec: ["/a"] }])[0]).toStartWith('app.eventHandlers[0].name: bad eventHandler name "on-boot"');
    expect(handlers([{ name: "", exec: ["/a"] }])).toEqual(["app.eventHandlers[0].name: must be set"]);
    expect(handlers([{ name: "post-stop", exec: ["rel"] }])).toEqual(["app.eventHandlers[0].exec[0]: must be an absolute path"]);
  });

  test("workingDirectory must be absolute", () => {
    expect(problemsOf(withApp({ workingDirectory: "opt" }))).toEqual(["app.workingDirectory: must be an absolute path"]);
  });

  test("environment names follow the shell rule and are unique", () => {
    const env = (e: unknown[]) => problemsOf(withApp({ environment: e }));
    expect(env([{ name: "1X", value: "" }])).toEqual(['app.environment[0].name: "1X" is not a valid environment variable name']);
    expect(env([{ name: "A", value: "1" }, { name: "A", value: "2" }])).toEqual(['app.environment[1].name: duplicate environment variable "A"']);
    expect(parseImageManifest(withApp({ environment: [{ name: "Mixed_Case1", value: "$NOT_EXPANDED" }] })).app?.environment?.[0]?.value).toBe("$NOT_EXPANDED");
  });

  test("isolators: quantities, default rules, capability sets", () => {
    const iso = (i: unknown[]) => problemsOf(withApp({ isolators: i }));
    expect(iso([{ name: "resource/memory", value: { limit: "1K" } }])[0]).toStartWith('app.isolators[0].value.limit: quantity "1K" is not valid');
    expect(iso([{ name: "resource/cpu", value: { default: true, limit: "1" } }])).toEqual(["app.isolators[0].value.default: must not be true for resource/cpu"]);
    expect(iso([{ name: "resource/block-iops", value: { limit: "100" } }])).toEqual(["app.isolators[0].value.default: must be true for resource/block-iops"]);
    expect(iso([{ name: "resource/block-bandwidth", value: { default: true, request: "1", limit: "2" } }])).toEqual(["app.isolators[0].value.request: not allowed for resource/block-bandwidth"]);
    expect(iso([{ name: "os/linux/capabilities-remove-set", value: { set: [] } }])).toEqual(["app.isolators[0].value.set: must be a non-empty list of capability names"]);
    expect(iso([{ name: "resource/memory", value: "1G" }])).toEqual(["app.isolators[0].value: must be an object"]);
    expect(iso([{ name: "resource/memory", value: { limit: true } }])).toEqual(["app.isolators[0].value.limit: must be a quantity string"]);
    expect(parseImageManifest(withApp({ isolators: [{ name: "resource/memory", value: { limit: 1024 } }] })).app?.isolators).toHaveLength(1);
    expect(parseImageManifest(withApp({ isolators: [{ name: "vendor.com/custom", value: [1, "free-form"] }] })).app?.isolators?.[0]?.value).toEqual([1, "free-form"]);
  });

  test("mount points and ports", () => {
    expect(problemsOf(withApp({ mountPoints: [{ name: "Work", path: "/w" }] }))[0]).toStartWith('app.mountPoints[0].name: "Work" is not a valid AC name');
    expect(problemsOf(withApp({ mountPoints: [{ name: "work" }] }))).toEqual(["app.mountPoints[0].path: must be set"]);
    expect(problemsOf(withApp({ mountPoints: [{ name: "work", path: "/w", readOnly: "yes" }] }))).toEqual(["app.mountPoints[0].readOnly: must be true or false"]);
    expect(problemsOf(withApp({ ports: [{ name: "www", protocol: "tcp", port: 0 }] }))).toEqual(["app.ports[0].port: 0 is not a port number (1-65535)"]);
    expect(problemsOf(withApp({ ports: [{ name: "www", protocol: "tcp", port: 65535, count: 2 }] }))[0]).toStartWith("app.ports[0].count: ");
    expect(problemsOf(withApp({ ports: [{ name: "www", port: 80 }] }))).toEqual(["app.ports[0].protocol: must be set"]);
    expect(problemsOf(withApp({ ports: [{ name: "www", protocol: "tcp", port: 8.5 }] }))).toEqual(["app.ports[0].port: must be an integer"]);
  });

  test("annotations: unique names, created is RFC 3339, homepage and documentation are http(s) URLs", () => {
    const ann = (a: unknown[]) => problemsOf(minimal({ annotations: a }));
    expect(ann([{ name: "created", value: "2015-08-27 19:32:27Z" }])).toEqual(['annotations[0].value: "2015-08-27 19:32:27Z" is not an RFC 3339 timestamp']);
    expect(ann([{ name: "homepage", value: "ftp://example.com" }])).toEqual(['annotations[0].value: "ftp://example.com": URL scheme must be http or https']);
    expect(ann([{ name: "documentation", value: "not a url" }])).toEqual(['annotations[0].value: "not a url" is not a URL']);
    expect(ann([{ name: "x", value: "1" }, { name: "x", value: "2" }])).toEqual(['annotations[1].name: duplicate annotation name "x"']);
  });

  test("dependencies: imageName required, imageID a sha512 hash", () => {
    const deps = (d: unknown[]) => problemsOf(minimal({ dependencies: d }));
    expect(deps([{ imageID: "sha512-aa" }])).toEqual(["dependencies[0].imageName: must be set"]);
    expect(deps([{ imageName: "example.com/base", imageID: "sha256-aa" }])[0]).toStartWith("dependencies[0].imageID: ");
    expect(deps([{ imageName: "example.com/base", labels: [{ name: "name", value: "x" }] }])).toEqual(['dependencies[0].labels[0].name: "name" is not a valid label name']);
    expect(deps([{ imageName: "example.com/base", size: -1 }])).toEqual(["dependencies[0].size: must not be negative"]);
  });

  test("pathWhitelist entries are absolute paths", () => {
    expect(problemsOf(minimal({ pathWhitelist: ["/ok", "rel"] }))).toEqual(["pathWhitelist[1]: must be an absolute path"]);
  });

  test("a document that is not an object", () => {
    expect(problemsOf([1, 2])).toEqual([": must be an object"]);
  });
});
