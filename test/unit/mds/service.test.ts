// The metadata service with both listeners, and rkt's registration client against it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { MetadataServiceUnreachable, metadataUrl, registerPod, startMetadataService, type MetadataService } from "../../../src/mds";
import { busybox, tempDir } from "../../support/harness";

const dir = tempDir("rkt-mds-unit-");
const socketPath = join(dir.path, "run", "mds.sock");
const log: string[] = [];
let service: MetadataService;
beforeAll(async () => {
  service = await startMetadataService({ port: 0, hostname: "127.0.0.1", socketPath, log: (line) => log.push(line) });
});
afterAll(() => {
  service?.stop();
  dir.cleanup();
});

const uuid = "6733c4b8-6c1d-4a5b-9c5e-0123456789ab";
const podManifest = JSON.stringify({ acKind: "PodManifest", acVersion: "0.6.1", apps: [{ name: "web", image: { id: `sha512-${"b".repeat(64)}` } }] });
const imageManifest = JSON.stringify({ acKind: "ImageManifest", acVersion: "0.6.1", name: "example.com/web" });
const get = (url: string) => fetch(url, { headers: { "Metadata-Flavor": "AppContainer" } });

describe("metadata service", () => {
  test("creates the registration socket 0600 in a directory it makes 0755", () => {
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir.path, "run")).mode & 0o777).toBe(0o755);
  });

  test("a registered pod is answered on its token's URL, with the port the service listens on", async () => {
    const registration = await registerPod({ uuid, podManifest, apps: [{ name: "web", imageManifest }], caller: { ip: "127.0.0.1" } }, socketPath);
    expect(registration.token).toMatch(/^[0-9a-f]{32}$/);
    expect(registration.appPort).toBe(service.appPort);
    const url = metadataUrl("127.0.0.1", registration);
    const res = await get(`${url}/acMetadata/v1/pod/uuid`);
    expect(await res.text()).toBe(uuid);
    expect(log).toContain(`GET /${registration.token}/acMetadata/v1/pod/uuid - 200`);
  });

  test("a pod registered with an address is answered only to connections from it", async () => {
    const own = await registerPod({ uuid, podManifest, apps: [], caller: { ip: "127.0.0.1" } }, socketPath);
    expect(log).toContain(`PUT /pods/${uuid}?token=${own.token}&ip=127.0.0.1 - 200`);
    expect(await (await get(`${metadataUrl("127.0.0.1", own)}/acMetadata/v1/pod/uuid`)).text()).toBe(uuid);
    const elsewhere = await registerPod({ uuid, podManifest, apps: [], caller: { ip: "127.0.0.2" } }, socketPath);
    expect((await get(`${metadataUrl("127.0.0.1", elsewhere)}/acMetadata/v1/pod/uuid`)).status).toBe(403);
  });

  // A stand-in for a host-network pod: unshare (its "stage1") with a child in a new PID
  // namespace, which reads the URL on stdin and asks for it with busybox wget.
  test("a pod registered with a PID is answered only to its own processes, which all call from the host", async () => {
    const pod = Bun.spawn(["unshare", "--pid", "--fork", "sh", "-c", `read url; ${busybox} wget -q -O - --header 'Metadata-Flavor: AppContainer' "$url" || echo refused`], { stdin: "pipe", stdout: "pipe" });
    try {
      const registration = await registerPod({ uuid, podManifest, apps: [], caller: { pid: pod.pid } }, socketPath);
      expect(log).toContain(`PUT /pods/${uuid}?token=${registration.token}&pid=${pod.pid} - 200`);
      const uuidUrl = `${metadataUrl("127.0.0.1", registration)}/acMetadata/v1/pod/uuid`;
      expect((await get(uuidUrl)).status).toBe(403);
      pod.stdin.write(`${uuidUrl}\n`);
      await pod.stdin.end();
      expect(await new Response(pod.stdout).text()).toBe(uuid);
    } finally {
      pod.kill();
      await pod.exited;
    }
    const gone = pod.pid;
    await expect(registerPod({ uuid, podManifest, apps: [], caller: { pid: gone } }, socketPath)).rejects.toThrow(`pid "${gone}" is not a running process`);
  });

  test("a refused app registration unregisters the pod again", async () => {
    const other = "11111111-2222-3333-4444-555555555555";
    const manifest = JSON.stringify({ acKind: "PodManifest", acVersion: "0.6.1", apps: [{ name: "db", image: { id: `sha512-${"c".repeat(64)}` } }] });
    await expect(registerPod({ uuid: other, podManifest: manifest, apps: [{ name: "db", imageManifest: "{not json" }], caller: { pid: process.pid } }, socketPath)).rejects.toThrow("400");
    expect(log).toContain(`DELETE /pods/${other} - 200`);
  });

  test("the registration API refuses bad input", async () => {
    const call = (method: string, path: string, body?: string) => fetch(`http://localhost${path}`, { unix: socketPath, method, body });
    expect((await call("PUT", `/pods/${uuid}`, podManifest)).status).toBe(400); // token missing
    expect((await call("PUT", "/pods/not-a-uuid?token=t", podManifest)).status).toBe(400);
    expect((await call("PUT", `/pods/${uuid}?token=t`, "{")).status).toBe(400);
    expect((await call("PUT", "/pods/22222222-2222-3333-4444-555555555555/web", imageManifest)).status).toBe(404);
    expect((await call("DELETE", "/pods/22222222-2222-3333-4444-555555555555")).status).toBe(404);
  });

  test("an unregistered pod's token is refused with 401", async () => {
    const registration = await registerPod({ uuid, podManifest, apps: [], caller: { ip: "127.0.0.1" } }, socketPath);
    const res = await fetch(`http://localhost/pods/${uuid}`, { unix: socketPath, method: "DELETE" });
    expect(res.status).toBe(200);
    expect((await get(`${metadataUrl("127.0.0.1", registration)}/acMetadata/v1/pod/uuid`)).status).toBe(401);
  });

  test("without a service the client fails at once with MetadataServiceUnreachable", async () => {
    const missing = join(dir.path, "none.sock");
    await expect(registerPod({ uuid, podManifest, apps: [], caller: { pid: process.pid } }, missing)).rejects.toBeInstanceOf(MetadataServiceUnreachable);
  });

  test("a second service on the same socket is refused while the first runs", async () => {
    await expect(startMetadataService({ port: 0, hostname: "127.0.0.1", socketPath, log: () => {} })).rejects.toThrow("already listens");
  });
});
