// Values that would split a field of the files stage0 hands to stage1 (a TAB, a newline)
// are refused with one line naming the field, before any pod exists: an image cannot
// forge a mount of the host's root, nor can a pod manifest or a flag.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rkt, tempDataDir, tempDir } from "../support/harness";
import { busyboxImage, collectPods, podsIn, shellApp } from "./run-fixtures";

const work = tempDir("rkt-contract-images-");
const data = tempDataDir("rkt-contract-");
afterAll(() => {
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

/** A file on the host that only a pod given the host's `/` could read. */
const hostMarker = join(work.path, "host-marker");
/** The mount point path of the issue: a TAB ends the target, a newline starts a forged `host` line. */
const forgedMountPath = "/data\trw\nhost\t/\t/hostroot";
const readsHostMarker = `cat /hostroot${hostMarker} || echo no-host-root`;
/** What environment values and arguments may hold, the old line formats' separators included. */
const freeText = "a\tb\nhost\t/\t/hostroot\\";

let images: Record<string, string>;
beforeAll(() => {
  writeFileSync(hostMarker, "host-root-visible\n");
  images = {
    hostile: busyboxImage(work.path, "example.com/hostile", shellApp(readsHostMarker, { mountPoints: [{ name: "data", path: forgedMountPath }] }), {
      files: { "hostroot/.keep": "" },
    }),
    ok: busyboxImage(work.path, "example.com/ok", shellApp("echo ok")),
    text: busyboxImage(work.path, "example.com/text", shellApp('printf "[%s][%s]" "$TEXT" "$1"', { environment: [{ name: "TEXT", value: freeText }] })),
  };
});

function run(args: string[]) {
  return rkt(data.path, ["--insecure-skip-verify", "run", ...args]);
}

function podManifestFile(name: string, app: Record<string, unknown>): string {
  const id = rkt(data.path, ["--insecure-skip-verify", "fetch", images.ok!]).stdout.trim();
  const path = join(work.path, `${name}.json`);
  writeFileSync(path, JSON.stringify({ acKind: "PodManifest", acVersion: "0.6.1", apps: [{ name: "ok", image: { id }, app }] }));
  return path;
}

describe("control characters never reach stage1's files", () => {
  test("an image whose mount point path forges a host mount of / is refused, naming the field, and no pod is made", () => {
    const before = podsIn(data.path);
    const result = run(["--volume=data,kind=empty", images.hostile!]);
    expect(result.stdout).not.toContain("host-root-visible");
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split("\n")).toHaveLength(2);
    expect(result.stderr).toContain("app.mountPoints[0].path: must not contain control characters (found U+0009)");
    expect(podsIn(data.path)).toEqual(before);
    expect(readFileSync(hostMarker, "utf8")).toBe("host-root-visible\n");
  });

  const cases: [string, () => string[], string][] = [
    ["a --volume name", () => ["--volume=da\nta,kind=empty", images.ok!], "run: --volume \"da\\nta,kind=empty\": must not contain control characters (found U+000A)\n"],
    ["a --volume source", () => ["--volume=data,kind=host,source=/tmp%0Ahost", images.ok!], "run: --volume \"data,kind=host,source=/tmp%0Ahost\": source must not contain control characters (found U+000A)\n"],
    ["a --mount target", () => ["--volume=data,kind=empty", "--mount=volume=data,target=/data%09rw", images.ok!], "run: --mount \"volume=data,target=/data%09rw\": target must not contain control characters (found U+0009)\n"],
    ["a --set-env name", () => ["--set-env=A\tB=1", images.ok!], "run: --set-env \"A\\tB=1\": the variable name must not contain control characters (found U+0009)\n"],
    ["an --exec path", () => [images.ok!, "--exec=/bin/true\n"], 'run: app "ok" of image example.com/ok: app.exec[0]: must not contain control characters (found U+000A)\n'],
    [
      "a pod manifest's working directory",
      () => [`--pod-manifest=${podManifestFile("workdir", { exec: ["/bin/true"], user: "0", group: "0", workingDirectory: "/srv\n" })}`],
      `run: pod manifest ${join(work.path, "workdir.json")}: apps[0].app.workingDirectory: must not contain control characters (found U+000A)\n`,
    ],
    [
      "a pod manifest's environment value with a NUL",
      () => [`--pod-manifest=${podManifestFile("env", { exec: ["/bin/true"], user: "0", group: "0", environment: [{ name: "A", value: "x\0y" }] })}`],
      `run: pod manifest ${join(work.path, "env.json")}: apps[0].app.environment[0].value: must not contain a NUL character\n`,
    ],
  ];
  test.each(cases)("%s is refused with one line and no pod", (_what, args, expected) => {
    const before = podsIn(data.path);
    const result = run(args());
    expect(result.stderr).toBe(expected);
    expect(result.exitCode).not.toBe(0);
    expect(podsIn(data.path)).toEqual(before);
  });

  test("an environment value and an app argument keep their TAB, newline and backslash", () => {
    const result = run([images.text!, "--", freeText]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`[${freeText}][${freeText}]`);
  });
});
