import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { imageManifest, makeTestAci, rkt, tempDir } from "../support/harness";

let work: { path: string; cleanup: () => void };
let dataDir: string;
let helloAci: string;
let helloKey: string;

beforeAll(() => {
  work = tempDir("rkt-e2e-fetch-");
  dataDir = join(work.path, "data");
  helloAci = makeTestAci(work.path, "hello.aci", { manifest: imageManifest("example.com/hello"), files: { "etc/hello": "hi" } });
  helloKey = `sha512-${createHash("sha512").update(gunzipSync(readFileSync(helloAci))).digest("hex").slice(0, 64)}`;
});
afterAll(() => work.cleanup());

describe("rkt fetch", () => {
  test("a local file without a signature beside it is refused without --insecure-skip-verify", () => {
    const r = rkt(dataDir, ["fetch", helloAci]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^fetch: image "[^"]+" has no signature at .*hello\.aci\.asc: .*'rkt trust --prefix=.*--insecure-skip-verify.*\n$/);
  });

  test("prints the short ID of a fetched file: sha512- and 32 hex digits", () => {
    const r = rkt(dataDir, ["--insecure-skip-verify", "fetch", helloAci]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`${helloKey.slice(0, 39)}\n`);
  });

  test("global flags may follow the command; file:// URLs and image IDs resolve to the same image", () => {
    const r = rkt(dataDir, ["fetch", `file://${helloAci}`, helloKey.slice(0, 12), "--insecure-skip-verify"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${helloKey.slice(0, 39)}\n`.repeat(2));
  });

  test("fetching renders the image's tree", () => {
    expect(readFileSync(join(dataDir, "cas/tree", helloKey, "rootfs/etc/hello"), "utf8")).toBe("hi");
    // Written without a sync: the marker names this boot (src/store/written-this-boot.ts).
    const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    expect(readFileSync(join(dataDir, "cas/tree", helloKey, "rendered"), "utf8")).toBe(`unsynced ${bootId}\n`);
  });

  test("the store keeps the fetched file as it came: no uncompressed copy of the archive, no scratch left", () => {
    const blob = join(dataDir, "cas/blob/sha512", helloKey.slice(7, 9), helloKey);
    expect(readFileSync(blob).equals(readFileSync(helloAci))).toBe(true);
    expect(readdirSync(join(dataDir, "cas/tmp"))).toEqual([]);
  });

  test("a bad manifest is refused and the error names the field", () => {
    const bad = makeTestAci(work.path, "bad.aci", { manifest: imageManifest("example.com/bad", { app: { exec: ["relative"], user: "0", group: "0" } }) });
    const r = rkt(dataDir, ["--insecure-skip-verify", "fetch", bad]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^fetch: bad image manifest in .*bad\.aci: .*app\.exec.*\n$/);
  });

  test("an image whose dependency is not in the store fails", () => {
    const dependent = makeTestAci(work.path, "dependent.aci", { manifest: imageManifest("example.com/dependent", { dependencies: [{ imageName: "example.com/absent" }] }) });
    const r = rkt(dataDir, ["--insecure-skip-verify", "fetch", dependent]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('cannot find aci satisfying name: "example.com/absent"');
  });

  // Names and http(s) URLs: test/e2e/fetch-https.test.ts, against a server in a network namespace.
  test("URL schemes other than http, https, docker and file are refused", () => {
    const other = rkt(dataDir, ["fetch", "ftp://127.0.0.1/x.aci"]);
    expect(other.stderr).toBe("fetch: rkt only supports http, https, docker or file URLs (ftp://127.0.0.1/x.aci)\n");
  });

  test("command-line errors: no image, app arguments, unknown image ID", () => {
    expect(rkt(dataDir, ["fetch"])).toMatchObject({ exitCode: 1, stderr: "fetch: must provide at least one image\n" });
    const args = rkt(dataDir, ["fetch", helloAci, "--", "x"]);
    expect(args.stderr).toContain("app arguments unsupported");
    expect(args.exitCode).not.toBe(0);
    const unknown = rkt(dataDir, ["fetch", "sha512-0000"]);
    expect(unknown).toMatchObject({ exitCode: 1, stderr: `fetch: could not resolve key: no keys found for "sha512-0000" (see 'rkt image list')\n` });
  });

  test("stops at the first failing image, after printing the ones before it", () => {
    const r = rkt(dataDir, ["--insecure-skip-verify", "fetch", helloAci, "sha512-0000", helloAci]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(`${helloKey.slice(0, 39)}\n`);
  });

  test("a path that does not exist is named as a missing file, not as a bad image name", () => {
    const r = rkt(dataDir, ["--insecure-skip-verify", "fetch", "/nonexistent/dir/image.aci"]);
    expect(r).toMatchObject({ exitCode: 1, stderr: 'fetch: unable to access "/nonexistent/dir/image.aci": no such file\n' });
  });
});
