// Fetching over real HTTPS (rkt-cli.md §2.1, appc.md §3.4): a TLS server with an openssl
// certificate and dist/rkt both run in a network namespace made for this file, so image
// names like `127.0.0.1/example/app` are discovered at https://127.0.0.1:443 with all
// traffic on that namespace's loopback. Signatures and keys are real gpg ones.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hostOsArch } from "../../src/appc";
import { imageManifest, makeTestAci, rktBinary, tempDataDir, tempDir } from "../support/harness";
import { makeGpgSigner, type GpgSigner } from "../support/gpg-signer";
import { selfSignedCertificate } from "../support/tls-certificate";
import type { LoggedRequest, Route } from "./fetch-https-server";

const HTTP_PORT = 80;
const AUTH_PORT = 8443;
const bun = process.execPath;
const netns = `rkt-test-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;

let work: { path: string; cleanup: () => void };
let serverDir: string;
let certFile: string;
let server: ReturnType<typeof Bun.spawn> | undefined;
let signer: GpgSigner;
let appAci: string;
let caseNumber = 0;

const { os, arch } = hostOsArch();
const verifiedBySigner = "rkt: signature verified:\n  Test Signer <signer@example.com>\n";
const trustHint = (name: string, who: string) => `trust ${who} with 'rkt trust --prefix=${name} KEY', or skip verification with --insecure-skip-verify`;

beforeAll(async () => {
  work = tempDir("rkt-e2e-https-");
  serverDir = join(work.path, "server");
  mkdirSync(serverDir);
  const certificate = selfSignedCertificate(work.path);
  certFile = certificate.certFile;
  signer = makeGpgSigner("Test Signer <signer@example.com>");
  appAci = makeTestAci(work.path, "app.aci", { manifest: imageManifest("127.0.0.1/example/app", {
      labels: [{ name: "version", value: "1.0.0" }, { name: "os", value: os }, { name: "arch", value: arch }],
      app: { exec: ["/bin/true"], user: "0", group: "0" },
    }), files: { "etc/app": "v1" } });
  signer.sign(appAci, `${appAci}.asc`);
  writeFileSync(join(work.path, "pubkeys.gpg"), signer.armoredPublicKey);

  ip(["netns", "add", netns]);
  ip(["-n", netns, "link", "set", "lo", "up"]);
  server = Bun.spawn(["ip", "netns", "exec", netns, bun, join(import.meta.dir, "fetch-https-server.ts"), serverDir, certFile, certificate.keyFile, String(HTTP_PORT), "443", String(AUTH_PORT)], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "ignore", // it would report the connections it drops on purpose
  });
  const reader = (server.stdout as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  reader.releaseLock();
  if (new TextDecoder().decode(first.value) !== "ready\n") throw new Error("the test server did not start");
});

afterAll(() => {
  server?.kill();
  Bun.spawnSync(["ip", "netns", "delete", netns]);
  signer?.cleanup();
  work?.cleanup();
});

function ip(args: string[]): void {
  const proc = Bun.spawnSync(["ip", ...args], { stdin: "ignore" });
  if (proc.exitCode !== 0) throw new Error(`ip ${args.join(" ")}: ${proc.stderr.toString()}`);
}

function serve(routes: Record<string, Route>): void {
  writeFileSync(join(serverDir, "routes.json"), JSON.stringify(routes));
  writeFileSync(join(serverDir, "requests.log"), "");
}

function requests(): LoggedRequest[] {
  const log = join(serverDir, "requests.log");
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as LoggedRequest);
}

function requestsFor(pathAndQuery: string): LoggedRequest[] {
  return requests().filter((r) => r.pathAndQuery === pathAndQuery);
}

interface Setup {
  data: string;
  system: string;
  local: string;
}

/** A fresh data dir and config dirs; `trustRoot` puts the signer's key in root.d. */
function freshSetup(opts: { trustRoot?: boolean } = {}): Setup {
  const base = join(work.path, `case-${++caseNumber}`);
  const setup = { data: join(base, "data"), system: join(base, "system"), local: join(base, "local") };
  mkdirSync(setup.data, { recursive: true });
  if (opts.trustRoot) {
    mkdirSync(join(setup.local, "trustedkeys/root.d"), { recursive: true });
    writeFileSync(join(setup.local, "trustedkeys/root.d", signer.fingerprint), signer.armoredPublicKey);
  }
  return setup;
}

/** dist/rkt inside the namespace, trusting the test CA unless `trustCa` is false. */
async function rktIn(setup: Setup, args: string[], opts: { trustCa?: boolean } = {}) {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  if (opts.trustCa !== false) env.NODE_EXTRA_CA_CERTS = certFile;
  const proc = Bun.spawn(["ip", "netns", "exec", netns, rktBinary, `--dir=${setup.data}`, `--system-config=${setup.system}`, `--local-config=${setup.local}`, ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env,
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

/** What the store holds: blob files and leftover work directories. */
function storeContents(setup: Setup): { blobs: string[]; tmp: string[] } {
  const blobRoot = join(setup.data, "cas/blob/sha512");
  const blobs = existsSync(blobRoot) ? readdirSync(blobRoot).flatMap((fan) => readdirSync(join(blobRoot, fan))) : [];
  const tmpDir = join(setup.data, "cas/tmp");
  return { blobs, tmp: existsSync(tmpDir) ? readdirSync(tmpDir) : [] };
}

const shortIdLine = /^sha512-[0-9a-f]{32}\n$/;

describe("fetching https URLs", () => {
  test("downloads the ACI and its .aci.asc with rkt's User-Agent, verifies, and prints the short ID", async () => {
    serve({ "/images/app.aci": { file: appAci }, "/images/app.aci.asc": { file: `${appAci}.asc` } });
    const setup = freshSetup({ trustRoot: true });
    const r = await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"]);
    expect(r.stderr).toBe(`Downloading signature from https://127.0.0.1/images/app.aci.asc\n${verifiedBySigner}`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(shortIdLine);
    expect(requests().map((q) => q.pathAndQuery)).toEqual(["/images/app.aci", "/images/app.aci.asc"]);
    expect(requests().every((q) => q.headers["user-agent"] === "rkt/0.8.0")).toBe(true);
    expect(storeContents(setup)).toMatchObject({ blobs: [expect.any(String)], tmp: [] });
  });

  test("the bytes verified are the bytes served, even when a server labels the gzip ACI with Content-Encoding", async () => {
    serve({ "/images/app.aci": { file: appAci, headers: { "Content-Encoding": "gzip" } }, "/images/app.aci.asc": { file: `${appAci}.asc` } });
    const setup = freshSetup({ trustRoot: true });
    const r = await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"]);
    expect(r).toMatchObject({ exitCode: 0, stderr: `Downloading signature from https://127.0.0.1/images/app.aci.asc\n${verifiedBySigner}` });
    expect(requestsFor("/images/app.aci")[0]!.headers["accept-encoding"]).toBe("identity");
  });

  test("a fresh download (max-age in a comma list) is reused without any request", async () => {
    serve({ "/images/app.aci": { file: appAci, headers: { "Cache-Control": "max-age=3600, public" } }, "/images/app.aci.asc": { file: `${appAci}.asc` } });
    const setup = freshSetup({ trustRoot: true });
    const first = await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"]);
    expect(first.exitCode).toBe(0);
    serve({});
    const second = await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"]);
    expect(second).toEqual({ exitCode: 0, stdout: first.stdout, stderr: "rkt: found image in local store, skipping fetching from URL\n" });
    expect(requests()).toEqual([]);
  });

  test("a stale download is revalidated with If-None-Match and a 304 reuses the stored image; no-cache never counts as fresh", async () => {
    const routes = { "/images/app.aci": { file: appAci, etag: '"v1"', headers: { "Cache-Control": "public, no-cache, max-age=3600" } }, "/images/app.aci.asc": { file: `${appAci}.asc` } };
    serve(routes);
    const setup = freshSetup({ trustRoot: true });
    const first = await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"]);
    expect(first.exitCode).toBe(0);
    expect(requestsFor("/images/app.aci")[0]!.headers["if-none-match"]).toBeUndefined();
    serve(routes);
    const second = await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"]);
    expect(second).toMatchObject({ exitCode: 0, stdout: first.stdout });
    expect(requestsFor("/images/app.aci").map((q) => q.headers["if-none-match"])).toEqual(['"v1"']);
    expect(requestsFor("/images/app.aci.asc")).toEqual([]);
    expect(storeContents(setup).blobs).toHaveLength(1);
  });

  test("a 404 and an unreachable server are one-line errors that leave the store unchanged", async () => {
    serve({});
    const setup = freshSetup({ trustRoot: true });
    const missing = await rktIn(setup, ["fetch", "https://127.0.0.1/images/absent.aci"]);
    expect(missing).toMatchObject({ exitCode: 1, stdout: "", stderr: "fetch: error downloading ACI: bad HTTP status code: 404\n" });
    const unreachable = await rktIn(setup, ["fetch", "https://127.0.0.1:1/images/app.aci"]);
    expect(unreachable.exitCode).toBe(1);
    expect(unreachable.stderr).toStartWith("fetch: error downloading ACI: https://127.0.0.1:1/images/app.aci: ");
    expect(unreachable.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(storeContents(setup)).toEqual({ blobs: [], tmp: [] });
  });

  test("a download cut off mid-body is a one-line error and leaves nothing in the store", async () => {
    serve({ "/images/app.aci": { file: appAci, truncateAt: 100 }, "/images/app.aci.asc": { file: `${appAci}.asc` } });
    const setup = freshSetup({ trustRoot: true });
    const r = await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toStartWith("fetch: error downloading ACI: https://127.0.0.1/images/app.aci: ");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(storeContents(setup)).toEqual({ blobs: [], tmp: [] });
  });

  test("a redirect to a file: URL is refused: the local file is not imported", async () => {
    serve({ "/images/app.aci": { status: 302, headers: { Location: `file://${appAci}` } } });
    const setup = freshSetup();
    const r = await rktIn(setup, ["--insecure-skip-verify", "fetch", "https://127.0.0.1/images/app.aci"]);
    expect(r).toMatchObject({
      exitCode: 1,
      stderr: `fetch: error downloading ACI: https://127.0.0.1/images/app.aci: refused a redirect to file://${appAci}: only http and https URLs are followed\n`,
    });
    expect(storeContents(setup)).toEqual({ blobs: [], tmp: [] });
  });

  test("a missing signature refuses the image; an untrusted TLS certificate fails unless --insecure-skip-verify", async () => {
    serve({ "/images/app.aci": { file: appAci } });
    const setup = freshSetup({ trustRoot: true });
    const unsigned = await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"]);
    expect(unsigned).toMatchObject({
      exitCode: 1,
      stderr:
        "Downloading signature from https://127.0.0.1/images/app.aci.asc\n" +
        `fetch: image "127.0.0.1/example/app" has no signature at https://127.0.0.1/images/app.aci.asc: give one with --signature=FILE and ${trustHint("127.0.0.1/example/app", "its signer")}\n`,
    });
    const badCert = await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"], { trustCa: false });
    expect(badCert.exitCode).toBe(1);
    expect(badCert.stderr).toStartWith("fetch: error downloading ACI: https://127.0.0.1/images/app.aci: ");
    expect(storeContents(setup)).toEqual({ blobs: [], tmp: [] });
    const insecure = await rktIn(setup, ["--insecure-skip-verify", "fetch", "https://127.0.0.1/images/app.aci"], { trustCa: false });
    expect(insecure).toMatchObject({ exitCode: 0, stderr: "" });
    expect(insecure.stdout).toMatch(shortIdLine);
  });

  test("rkt 1.x's --insecure-options: tls accepts any certificate and still checks the signature; image skips the signature and still checks the certificate", async () => {
    serve({ "/images/app.aci": { file: appAci }, "/images/app.aci.asc": { file: `${appAci}.asc` } });
    const untrusted = freshSetup();
    const tlsOnly = await rktIn(untrusted, ["--insecure-options=tls", "fetch", "https://127.0.0.1/images/app.aci"], { trustCa: false });
    expect(tlsOnly.exitCode).toBe(1);
    expect(tlsOnly.stderr).toContain("not trusted for that name");
    const imageOnly = await rktIn(untrusted, ["--insecure-options=image", "fetch", "https://127.0.0.1/images/app.aci"], { trustCa: false });
    expect(imageOnly.exitCode).toBe(1);
    expect(imageOnly.stderr).toStartWith("fetch: error downloading ACI: https://127.0.0.1/images/app.aci: ");
    expect(storeContents(untrusted)).toEqual({ blobs: [], tmp: [] });
    const trusted = freshSetup({ trustRoot: true });
    const verified = await rktIn(trusted, ["--insecure-options=tls", "fetch", "https://127.0.0.1/images/app.aci"], { trustCa: false });
    expect(verified).toMatchObject({ exitCode: 0, stderr: `Downloading signature from https://127.0.0.1/images/app.aci.asc\n${verifiedBySigner}` });
    const both = await rktIn(untrusted, ["--insecure-options=image,tls", "fetch", "https://127.0.0.1/images/app.aci"], { trustCa: false });
    expect(both).toMatchObject({ exitCode: 0, stderr: "" });
  });

  test("--local never touches the network: a cached URL is found, others are refused", async () => {
    serve({ "/images/app.aci": { file: appAci }, "/images/app.aci.asc": { file: `${appAci}.asc` } });
    const setup = freshSetup({ trustRoot: true });
    expect((await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"])).exitCode).toBe(0);
    serve({});
    const cached = await rktIn(setup, ["prepare", "--local", "https://127.0.0.1/images/app.aci"]);
    expect(cached.stderr).toBe("");
    expect(cached.exitCode).toBe(0);
    expect(cached.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    const absentUrl = await rktIn(setup, ["prepare", "--local", "https://127.0.0.1/images/other.aci"]);
    expect(absentUrl).toMatchObject({ exitCode: 1, stderr: "prepare: url https://127.0.0.1/images/other.aci not available in local store\n" });
    const absentName = await rktIn(setup, ["prepare", "--local", "127.0.0.1/example/other"]);
    expect(absentName.exitCode).toBe(1);
    expect(absentName.stderr).toStartWith('prepare: cannot find aci satisfying name: "127.0.0.1/example/other"');
    expect(requests()).toEqual([]);
  });
});

describe("auth.d credentials", () => {
  test("are sent only over https and only to the configured host:port, also after a redirect", async () => {
    const setup = freshSetup({ trustRoot: true });
    mkdirSync(join(setup.local, "auth.d"), { recursive: true });
    const authFile = (domains: string[]) =>
      writeFileSync(join(setup.local, "auth.d/test.json"), JSON.stringify({ rktKind: "auth", rktVersion: "v1", domains, type: "basic", credentials: { user: "foo", password: "bar" } }));
    const routes = { "/images/app.aci": { file: appAci }, "/images/app.aci.asc": { file: `${appAci}.asc` } };
    authFile([`127.0.0.1:${AUTH_PORT}`]);
    serve(routes);
    expect((await rktIn(setup, ["fetch", `https://127.0.0.1:${AUTH_PORT}/images/app.aci`])).exitCode).toBe(0);
    expect((await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"])).exitCode).toBe(0);
    const basic = `Basic ${Buffer.from("foo:bar").toString("base64")}`;
    expect(requests().map((q) => [q.port, q.headers.authorization])).toEqual([
      [AUTH_PORT, basic],
      [AUTH_PORT, basic],
      [443, undefined],
      [443, undefined],
    ]);
    serve({ [`${AUTH_PORT}/moved.aci`]: { status: 302, headers: { Location: "https://127.0.0.1/images/app.aci" } }, ...routes });
    expect((await rktIn(setup, ["fetch", `https://127.0.0.1:${AUTH_PORT}/moved.aci`, `--signature=${appAci}.asc`])).exitCode).toBe(0);
    expect(requests().map((q) => [q.port, q.pathAndQuery, q.headers.authorization])).toEqual([
      [AUTH_PORT, "/moved.aci", basic],
      [443, "/images/app.aci", undefined],
    ]);
    authFile([`127.0.0.1:${HTTP_PORT}`, "127.0.0.1"]);
    serve(routes);
    expect((await rktIn(setup, ["--insecure-skip-verify", "fetch", "http://127.0.0.1/images/app.aci"])).exitCode).toBe(0);
    expect(requests().map((q) => [q.port, q.headers.authorization])).toEqual([[HTTP_PORT, undefined]]);
  });

  test("a bad auth file aborts the fetch with one line", async () => {
    const setup = freshSetup({ trustRoot: true });
    mkdirSync(join(setup.local, "auth.d"), { recursive: true });
    writeFileSync(join(setup.local, "auth.d/bad.json"), JSON.stringify({ rktKind: "auth", rktVersion: "v1", domains: ["127.0.0.1"], type: "digest" }));
    serve({});
    const r = await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"]);
    expect(r).toMatchObject({ exitCode: 1, stderr: `fetch: cannot get configuration: unknown auth type: "digest" in "${join(setup.local, "auth.d/bad.json")}"\n` });
    expect(requests()).toEqual([]);
  });
});

describe("fetching by name through meta discovery", () => {
  const pubkeysUrl = "https://127.0.0.1/pubkeys.gpg";
  const imagePath = (name: string, version: string, ext: string) => `/images/${name}-${version}-${os}-${arch}.${ext}`;
  const discoveryPage = `<html><head>
    <meta name="ac-discovery" content="127.0.0.1/example https://127.0.0.1/images/{name}-{version}-{os}-{arch}.{ext}">
    <meta name="ac-discovery-pubkeys" content="127.0.0.1/example ${pubkeysUrl}">
  </head></html>`;

  /** Discovery answers at the parent level `127.0.0.1/example`; `images` maps image paths to routes. */
  function serveDiscovery(images: Record<string, Route>): void {
    serve({ "/example?ac-discovery=1": { body: discoveryPage }, "/pubkeys.gpg": { body: signer.armoredPublicKey }, ...images });
  }

  function signedApp(name: string, version: string, headers: Record<string, string> = {}): Record<string, Route> {
    return { [imagePath(name, version, "aci")]: { file: appAci, headers }, [imagePath(name, version, "aci.asc")]: { file: `${appAci}.asc` } };
  }

  function keyTrustedText(prefix: string, path: string): string {
    const spaced = signer.fingerprint.toUpperCase().replace(/(.{4})(?!$)/g, "$1 ").replace(/^((?:\S+ ){4}\S+) /, "$1  ");
    return (
      `prefix: "${prefix}"\nkey: "${pubkeysUrl}"\ngpg key fingerprint is: ${spaced}\n\tTest Signer <signer@example.com>\n` +
      `Trusting "${pubkeysUrl}" for prefix "${prefix}" without fingerprint review.\n` +
      `Added key for prefix "${prefix}" at "${path}"\n`
    );
  }

  test("a versioned name: keys found over https are trusted, the signature is checked before the ACI is downloaded, then the cache is used", async () => {
    const name = "127.0.0.1/example/app";
    serveDiscovery(signedApp(name, "1.0.0", { "Cache-Control": "max-age=3600" }));
    const setup = freshSetup();
    const r = await rktIn(setup, ["fetch", `${name}:1.0.0`]);
    const keyPath = join(setup.local, "trustedkeys/prefix.d", name, signer.fingerprint);
    expect(r.stderr).toBe(
      `rkt: searching for app image ${name}:1.0.0\n` +
        keyTrustedText(name, keyPath) +
        `Downloading signature from https://127.0.0.1${imagePath(name, "1.0.0", "aci.asc")}\n` +
        verifiedBySigner,
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(shortIdLine);
    expect(readFileSync(keyPath, "utf8")).toBe(signer.armoredPublicKey);
    const order = requests().map((q) => q.pathAndQuery);
    expect(order.slice(0, 2)).toEqual(["/example/app?ac-discovery=1", "/example?ac-discovery=1"]);
    expect(order.slice(-2)).toEqual([imagePath(name, "1.0.0", "aci.asc"), imagePath(name, "1.0.0", "aci")]);

    serveDiscovery(signedApp(name, "1.0.0"));
    const again = await rktIn(setup, ["fetch", `${name}:1.0.0`]);
    expect(again).toEqual({
      exitCode: 0,
      stdout: r.stdout,
      stderr: `rkt: searching for app image ${name}:1.0.0\nKey "${pubkeysUrl}" already in the keystore\nrkt: found image in local store, skipping fetching from URL\n`,
    });
    expect(requestsFor(imagePath(name, "1.0.0", "aci"))).toEqual([]);
  });

  test("a name without a version is the latest: downloaded every time, without a conditional request", async () => {
    const name = "127.0.0.1/example/app";
    const routes = signedApp(name, "latest", { "Cache-Control": "max-age=3600" });
    routes[imagePath(name, "latest", "aci")]!.etag = '"v1"';
    serveDiscovery(routes);
    const setup = freshSetup();
    const first = await rktIn(setup, ["fetch", name]);
    expect(first.exitCode).toBe(0);
    const second = await rktIn(setup, ["fetch", name]);
    expect(second).toMatchObject({ exitCode: 0, stdout: first.stdout });
    const downloads = requestsFor(imagePath(name, "latest", "aci"));
    expect(downloads.map((q) => q.headers["if-none-match"])).toEqual([undefined, undefined]);
  });

  test("an image whose manifest names another image is refused and leaves the store unchanged", async () => {
    const name = "127.0.0.1/example/impostor";
    serveDiscovery(signedApp(name, "1.0.0"));
    const setup = freshSetup();
    const r = await rktIn(setup, ["fetch", `${name}:1.0.0`]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toEndWith(`fetch: error when reading the app name: "${name}" expected but "127.0.0.1/example/app" found\n`);
    expect(storeContents(setup)).toEqual({ blobs: [], tmp: [] });
  });

  test("without automatic key trust an unknown signer stops the fetch before the ACI is downloaded", async () => {
    const name = "127.0.0.1/example/app";
    serveDiscovery(signedApp(name, "1.0.0"));
    const setup = freshSetup();
    const r = await rktIn(setup, ["--trust-keys-from-https=false", "fetch", `${name}:1.0.0`]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toEndWith(`fetch: image "${name}" is signed by key ${signer.fingerprint.slice(-16).toUpperCase()}, not trusted for that name: ${trustHint(name, "the key")}\n`);
    expect(requestsFor(imagePath(name, "1.0.0", "aci"))).toEqual([]);
    expect(requestsFor("/pubkeys.gpg")).toEqual([]);
    expect(storeContents(setup)).toEqual({ blobs: [], tmp: [] });
  });

  test("a signature the server defers (202) is fetched again after the ACI", async () => {
    const name = "127.0.0.1/example/app";
    const routes = signedApp(name, "1.0.0");
    routes[imagePath(name, "1.0.0", "aci.asc")]!.acceptedUntil = 2;
    serveDiscovery(routes);
    const setup = freshSetup({ trustRoot: true });
    const r = await rktIn(setup, ["--trust-keys-from-https=false", "fetch", `${name}:1.0.0`]);
    const signatureUrl = `https://127.0.0.1${imagePath(name, "1.0.0", "aci.asc")}`;
    expect(r.stderr).toEndWith(
      `Downloading signature from ${signatureUrl}\nrkt: server requested deferring the signature download\nDownloading signature from ${signatureUrl}\n${verifiedBySigner}`,
    );
    expect(r.exitCode).toBe(0);
    expect(requests().map((q) => q.pathAndQuery).slice(-3)).toEqual([imagePath(name, "1.0.0", "aci.asc"), imagePath(name, "1.0.0", "aci"), imagePath(name, "1.0.0", "aci.asc")]);
  });

  test("a discovery page served only over plain http is used only with --insecure-skip-verify", async () => {
    const name = "127.0.0.1/example/app";
    serve({ [`${HTTP_PORT}/example?ac-discovery=1`]: { body: discoveryPage }, ...signedApp(name, "1.0.0") });
    const setup = freshSetup();
    const secure = await rktIn(setup, ["fetch", `${name}:1.0.0`]);
    expect(secure.exitCode).toBe(1);
    expect(secure.stderr).toContain(`discovery failed for "${name}:1.0.0": `);
    expect(requests().filter((q) => q.port === HTTP_PORT)).toEqual([]);
    const insecure = await rktIn(setup, ["--insecure-skip-verify", "fetch", `${name}:1.0.0`]);
    expect(insecure).toMatchObject({ exitCode: 0, stderr: `rkt: searching for app image ${name}:1.0.0\n` });
    expect(insecure.stdout).toMatch(shortIdLine);
    expect(requests().filter((q) => q.port === HTTP_PORT).map((q) => q.pathAndQuery)).toEqual(["/example/app?ac-discovery=1", "/example?ac-discovery=1"]);
  });

  /** Builds and signs an image `name`:`version` for this host; returns its routes and file. */
  function signedImage(name: string, version: string, opts: { dependencies?: unknown[]; file: string; compression?: "none" }): { routes: Record<string, Route>; aci: string } {
    const manifest = imageManifest(name, {
      labels: [{ name: "version", value: version }, { name: "os", value: os }, { name: "arch", value: arch }],
      ...(opts.dependencies ? { dependencies: opts.dependencies } : {}),
    });
    const aci = makeTestAci(work.path, `${name.replaceAll("/", "_")}-${version}-${++caseNumber}.aci`, { manifest, files: { [opts.file]: name }, compression: opts.compression });
    signer.sign(aci, `${aci}.asc`);
    return { aci, routes: { [imagePath(name, version, "aci")]: { file: aci }, [imagePath(name, version, "aci.asc")]: { file: `${aci}.asc` } } };
  }

  test("an image's dependencies are discovered, verified and fetched in turn, and render with it", async () => {
    const lib = signedImage("127.0.0.1/example/lib", "latest", { file: "etc/lib" });
    const base = signedImage("127.0.0.1/example/base", "1.0.0", { file: "etc/base", dependencies: [{ imageName: "127.0.0.1/example/lib" }] });
    const top = signedImage("127.0.0.1/example/top", "1.0.0", {
      file: "etc/top",
      dependencies: [{ imageName: "127.0.0.1/example/base", labels: [{ name: "version", value: "1.0.0" }] }],
    });
    serveDiscovery({ ...lib.routes, ...base.routes, ...top.routes });
    const setup = freshSetup({ trustRoot: true });
    const r = await rktIn(setup, ["--trust-keys-from-https=false", "fetch", "127.0.0.1/example/top:1.0.0"]);
    expect(r.stderr.match(/^rkt: searching for app image .*$/gm)).toEqual([
      "rkt: searching for app image 127.0.0.1/example/top:1.0.0",
      "rkt: searching for app image 127.0.0.1/example/base:1.0.0",
      "rkt: searching for app image 127.0.0.1/example/lib",
    ]);
    expect(r.stderr.split(verifiedBySigner).length - 1).toBe(3);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(shortIdLine);
    const out = join(work.path, `rendered-${++caseNumber}`);
    expect((await rktIn(setup, ["image", "render", "--rootfs-only", "127.0.0.1/example/top:1.0.0", out])).exitCode).toBe(0);
    expect(["top", "base", "lib"].map((f) => readFileSync(join(out, "etc", f), "utf8"))).toEqual(["127.0.0.1/example/top", "127.0.0.1/example/base", "127.0.0.1/example/lib"]);
  });

  test("a dependency pinned by an image ID the store holds is not looked up; a discovered image with another ID is refused", async () => {
    const base = signedImage("127.0.0.1/example/base", "1.0.0", { file: "etc/base", compression: "none" });
    const baseId = `sha512-${createHash("sha512").update(readFileSync(base.aci)).digest("hex")}`;
    const pinned = signedImage("127.0.0.1/example/pinned", "1.0.0", { file: "etc/pinned", dependencies: [{ imageName: "127.0.0.1/example/base", imageID: baseId }] });
    const wrongId = `sha512-${"0".repeat(128)}`;
    const mismatched = signedImage("127.0.0.1/example/mismatched", "1.0.0", {
      file: "etc/x",
      dependencies: [{ imageName: "127.0.0.1/example/base", imageID: wrongId, labels: [{ name: "version", value: "1.0.0" }] }],
    });
    serveDiscovery({ ...base.routes, ...pinned.routes, ...mismatched.routes });
    const setup = freshSetup({ trustRoot: true });
    expect((await rktIn(setup, ["--trust-keys-from-https=false", "fetch", "127.0.0.1/example/base:1.0.0"])).exitCode).toBe(0);
    serveDiscovery({ ...base.routes, ...pinned.routes, ...mismatched.routes });
    const ok = await rktIn(setup, ["--trust-keys-from-https=false", "fetch", "127.0.0.1/example/pinned:1.0.0"]);
    expect(ok.exitCode).toBe(0);
    expect(requests().filter((q) => q.pathAndQuery.includes("example/base"))).toEqual([]);

    const refused = await rktIn(setup, ["--trust-keys-from-https=false", "fetch", "127.0.0.1/example/mismatched:1.0.0"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toEndWith(`fetch: dependency 127.0.0.1/example/base:1.0.0: found image ${baseId.slice(0, 71)}, but the dependency requires image ID ${wrongId}\n`);
  });

  test("a discovery template naming a file: URL is refused: nothing local is imported", async () => {
    const name = "127.0.0.1/example/app";
    serve({ "/example?ac-discovery=1": { body: `<meta name="ac-discovery" content="127.0.0.1/example file://${appAci}?{name}{ext}">` } });
    const setup = freshSetup();
    const r = await rktIn(setup, ["--insecure-skip-verify", "fetch", `${name}:1.0.0`]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`discovery failed for "${name}:1.0.0": the ac-discovery tag for 127.0.0.1/example names "file://${appAci}?${name}aci", which is not an http or https URL. Trying to find image in the store.\n`);
    expect(storeContents(setup)).toEqual({ blobs: [], tmp: [] });
  });

  test("when discovery fails the store is searched instead", async () => {
    const setup = freshSetup({ trustRoot: true });
    serve({ "/images/app.aci": { file: appAci }, "/images/app.aci.asc": { file: `${appAci}.asc` } });
    const byUrl = await rktIn(setup, ["fetch", "https://127.0.0.1/images/app.aci"]);
    serve({});
    const r = await rktIn(setup, ["--trust-keys-from-https=false", "fetch", "127.0.0.1/example/app:1.0.0"]);
    expect(r).toEqual({
      exitCode: 0,
      stdout: byUrl.stdout,
      stderr:
        "rkt: searching for app image 127.0.0.1/example/app:1.0.0\n" +
        'discovery failed for "127.0.0.1/example/app:1.0.0": https://127.0.0.1/example/app?ac-discovery=1: bad HTTP status code: 404. Trying to find image in the store.\n',
    });
    const absent = await rktIn(setup, ["fetch", "127.0.0.1/example/absent:1.0.0"]);
    expect(absent.exitCode).toBe(1);
    expect(absent.stderr).toEndWith(`fetch: cannot find aci satisfying name: "127.0.0.1/example/absent" with labels version=1.0.0,os=linux,arch=${arch} in the local store (see 'rkt image list')\n`);
  });
});

describe("rkt trust --prefix without a key", () => {
  test("finds the keys by meta discovery over https and trusts them without review", async () => {
    serve({ "/example?ac-discovery=1": { body: `<meta name="ac-discovery-pubkeys" content="127.0.0.1/example https://127.0.0.1/pubkeys.gpg">` }, "/pubkeys.gpg": { body: signer.armoredPublicKey } });
    const setup = freshSetup();
    const r = await rktIn(setup, ["trust", "--prefix=127.0.0.1/example"]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toEndWith(`Added key for prefix "127.0.0.1/example" at "${join(setup.local, "trustedkeys/prefix.d/127.0.0.1/example", signer.fingerprint)}"\n`);
    expect(r.stderr).toContain('Trusting "https://127.0.0.1/pubkeys.gpg" for prefix "127.0.0.1/example" without fingerprint review.\n');
  });

  test("says so when discovery finds no keys or cannot reach the prefix", async () => {
    serve({ "/example?ac-discovery=1": { body: "<html></html>" } });
    const setup = freshSetup();
    expect(await rktIn(setup, ["trust", "--prefix=127.0.0.1/example"])).toMatchObject({ exitCode: 1, stderr: "trust: meta discovery on 127.0.0.1/example resulted in no keys\n" });
    serve({});
    expect(await rktIn(setup, ["trust", "--prefix=127.0.0.1/example"])).toMatchObject({
      exitCode: 1,
      stderr: "trust: Error determining key location: prefix meta discovery error: https://127.0.0.1/example?ac-discovery=1: bad HTTP status code: 404\n",
    });
    expect(existsSync(join(setup.local, "trustedkeys"))).toBe(false);
  });
});

describe("actool discover", () => {
  test("prints the image, signature and key URLs meta discovery finds", async () => {
    serve({
      "/example?ac-discovery=1": {
        body: `<meta name="ac-discovery" content="127.0.0.1/example https://127.0.0.1/images/{name}-{version}-{os}-{arch}.{ext}"><meta name="ac-discovery-pubkeys" content="127.0.0.1/example https://127.0.0.1/pubkeys.gpg">`,
      },
    });
    const r = await rktIn(freshSetup(), ["actool", "discover", "127.0.0.1/example/app:1.0.0,os=freebsd"]);
    const base = `https://127.0.0.1/images/127.0.0.1/example/app-1.0.0-freebsd-${arch}`;
    expect(r).toEqual({ exitCode: 0, stderr: "", stdout: `ACI: ${base}.aci, ASC: ${base}.aci.asc\nKeys: https://127.0.0.1/pubkeys.gpg\n` });
    serve({});
    const none = await rktIn(freshSetup(), ["actool", "discover", "127.0.0.1/example/app"]);
    expect(none).toMatchObject({ exitCode: 1, stderr: "actool discover: error fetching endpoints for 127.0.0.1/example/app: https://127.0.0.1/example/app?ac-discovery=1: bad HTTP status code: 404\n" });
  });
});
