// Nomad v0.8.7's rkt driver, replayed against dist/rkt (docs/nomad-rkt-driver.md): the argv
// sequences it builds (fingerprint, trust, prepare, run-prepared, status polling,
// cat-manifest, enter, SIGINT, rm) and the checks it makes on what comes back. Every rkt
// runs in a network namespace made for this file (so the discovery server owns
// 127.0.0.1:443 there, and the pod's veth and port forwarding stay there), with this file's
// --dir, --local-config and --system-config put before the driver's own arguments; the
// run-prepared process starts in a fresh cgroup, in its own process group, with a task dir
// as its working directory, as Nomad's executor starts it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { hostOsArch } from "../../src/appc";
import { rktBinary, tempDataDir, tempDir } from "../support/harness";
import { makeGpgSigner, type GpgSigner } from "../support/gpg-signer";
import { selfSignedCertificate } from "../support/tls-certificate";
import type { Route } from "./fetch-https-server";
import { busyboxImage, collectPods, shellApp, waitFor } from "./run-fixtures";

const netns = `rkt-nomad-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
const { os, arch } = hostOsArch();
const imageName = "127.0.0.1/nomad/web";
const allocId = crypto.randomUUID();
const task = "web_task";
/** The volume name prefix Nomad builds: alloc ID, then the task name with `_` as `-`. */
const volumePrefix = `${allocId}-${task.replace(/_/g, "-")}`;

let work: { path: string; cleanup: () => void };
let data: { path: string; cleanup: () => void };
let signer: GpgSigner;
let server: ReturnType<typeof Bun.spawn> | undefined;
let certFile: string;
let localConfig: string;
let unsignedAci: string;
/** The executor's cgroup, in the memory and the cpu hierarchy. */
const executorCgroups: string[] = [];
const runPrepared: ReturnType<typeof Bun.spawn>[] = [];

beforeAll(async () => {
  work = tempDir("rkt-e2e-nomad-");
  data = tempDataDir("rkt-e2e-nomad-data-");
  signer = makeGpgSigner("Nomad Test Signer <nomad@example.com>");
  const certificate = selfSignedCertificate(work.path);
  certFile = certificate.certFile;

  // The task's image: writes its environment and a page into the task dirs, then serves the page on its port "http".
  const webAci = busyboxImage(work.path, imageName, shellApp("true", { ports: [{ name: "http", protocol: "tcp", port: 8080 }] }), {
    manifest: { labels: [{ name: "version", value: "1.0.0" }, { name: "os", value: os }, { name: "arch", value: arch }] },
  });
  signer.sign(webAci, `${webAci}.asc`);
  unsignedAci = busyboxImage(work.path, "example.com/nomad/batch", shellApp("exit 0"));

  // The job's `default` network: a ptp network of this file, its address reservations in the work dir.
  localConfig = join(work.path, "local-config");
  mkdirSync(join(localConfig, "net.d"), { recursive: true });
  writeFileSync(
    join(localConfig, "net.d", "10-default.conf"),
    JSON.stringify({ name: "default", type: "ptp", ipMasq: false, ipam: { type: "host-local", subnet: "10.251.93.0/24", dataDir: join(work.path, "ipam") } }),
  );

  const serverDir = join(work.path, "server");
  mkdirSync(serverDir);
  const imagePath = (ext: string) => `/images/${imageName}-1.0.0-${os}-${arch}.${ext}`;
  const routes: Record<string, Route> = {
    "/nomad?ac-discovery=1": {
      body: `<html><head>
        <meta name="ac-discovery" content="127.0.0.1/nomad https://127.0.0.1/images/{name}-{version}-{os}-{arch}.{ext}">
        <meta name="ac-discovery-pubkeys" content="127.0.0.1/nomad https://127.0.0.1/pubkeys.gpg">
      </head></html>`,
    },
    "/pubkeys.gpg": { body: signer.armoredPublicKey },
    [imagePath("aci")]: { file: webAci },
    [imagePath("aci.asc")]: { file: `${webAci}.asc` },
  };
  writeFileSync(join(serverDir, "routes.json"), JSON.stringify(routes));

  ip(["netns", "add", netns]);
  ip(["-n", netns, "link", "set", "lo", "up"]);
  server = Bun.spawn(["ip", "netns", "exec", netns, process.execPath, join(import.meta.dir, "fetch-https-server.ts"), serverDir, certFile, certificate.keyFile, "80", "443"], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "ignore",
  });
  const reader = (server.stdout as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  reader.releaseLock();
  if (new TextDecoder().decode(first.value) !== "ready\n") throw new Error("the discovery server did not start");
});

afterAll(() => {
  for (const proc of runPrepared) proc.kill("SIGKILL");
  for (const pid of executorCgroups.flatMap(cgroupPids)) process.kill(pid, "SIGKILL");
  collectPods(data.path);
  for (const cgroup of executorCgroups) removeCgroupTree(cgroup);
  server?.kill();
  Bun.spawnSync(["ip", "netns", "delete", netns]);
  signer?.cleanup();
  data?.cleanup();
  work?.cleanup();
});

function ip(args: string[]): void {
  const proc = Bun.spawnSync(["ip", ...args], { stdin: "ignore" });
  if (proc.exitCode !== 0) throw new Error(`ip ${args.join(" ")}: ${proc.stderr.toString()}`);
}

/** This file's state directories: Nomad's agent uses rkt's defaults. */
function testGlobals(): string[] {
  return [`--dir=${data.path}`, `--local-config=${localConfig}`, `--system-config=${join(work.path, "system-config")}`];
}

/** The argv of dist/rkt in this file's network namespace. */
function rktArgv(driverArgs: string[]): string[] {
  return ["nsenter", `--net=/run/netns/${netns}`, rktBinary, ...testGlobals(), ...driverArgs];
}

/** Runs rkt as the agent does (its environment, stdin /dev/null), stdout and stderr captured. */
async function agentRuns(driverArgs: string[]) {
  const proc = Bun.spawn(rktArgv(driverArgs), { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile } });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

// --- what the driver checks, in its terms ---

/** The driver's trust call for the job's `trust_prefix`, made at every task start. */
const trustArgv = ["trust", "--skip-fingerprint-review=true", "--prefix=127.0.0.1/nomad", "--debug=false"];

/** hashicorp/go-version's order on the numeric segments. */
function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** Go's net.IP.IsGlobalUnicast for IPv4. */
function isGlobalUnicast(address: string): boolean {
  if (isIP(address) !== 4) return false;
  const [a, b] = address.split(".").map(Number) as [number, number];
  return !(a === 0 || a === 127 || (a === 169 && b === 254) || a >= 224);
}

/** What decoding into rkt's api/v1.Pod demands of `status --format=json` (types of the fields present). */
function decodesAsApiPod(pod: Record<string, unknown>): void {
  expect(typeof pod.name).toBe("string");
  expect(typeof pod.state).toBe("string");
  for (const network of (pod.networks ?? []) as Record<string, unknown>[]) {
    for (const field of ["ip", "mask"]) expect(network[field] === "" || isIP(network[field] as string) !== 0).toBe(true);
    for (const field of ["netName", "netConf", "ifName", "args"]) if (field in network) expect(typeof network[field]).toBe("string");
  }
  for (const field of ["created_at", "started_at"]) if (field in pod) expect(Number.isInteger(pod[field])).toBe(true);
  for (const app of (pod.apps ?? []) as Record<string, unknown>[]) {
    expect(typeof app.name).toBe("string");
    for (const field of ["created_at", "started_at", "finished_at", "exit_code"]) if (field in app) expect(Number.isInteger(app[field])).toBe(true);
  }
}

const acName = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const knownIsolators = [
  "resource/block-bandwidth", "resource/block-iops", "resource/cpu", "resource/memory", "resource/network-bandwidth",
  "os/linux/capabilities-retain-set", "os/linux/capabilities-remove-set", "os/linux/no-new-privileges", "os/linux/seccomp-remove-set",
  "os/linux/seccomp-retain-set", "os/linux/oom-score-adj", "os/linux/cpu-shares", "os/linux/selinux-context", "os/unix/sysctl",
];

/** What appc 0.8.11's schema.PodManifest decoder (the driver's) checks, then the driver's own port-map rules. */
function portMapFromPodManifest(text: string, portMap: Record<string, string>): Record<string, number> {
  const pod = JSON.parse(text);
  expect(pod.acKind).toBe("PodManifest");
  expect(pod.acVersion).toMatch(/^\d+\.\d+\.\d+/);
  const volumeNames = (pod.volumes ?? []).map((v: { name: string }) => v.name);
  expect(new Set(volumeNames).size).toBe(volumeNames.length);
  for (const volume of pod.volumes ?? []) {
    expect(volume.name).toMatch(acName);
    if (volume.kind === "host") expect(volume.source).toStartWith("/");
  }
  expect(pod.apps).toHaveLength(1);
  const [runtimeApp] = pod.apps;
  expect(runtimeApp.name).toMatch(acName);
  expect(runtimeApp.image.id).toMatch(/^sha512-[0-9a-f]+$/);
  const app = runtimeApp.app;
  expect(app.user).not.toBe("");
  expect(app.group).not.toBe("");
  const envNames = app.environment.map((e: { name: string }) => e.name);
  for (const name of envNames) expect(name).toMatch(/^[A-Za-z_][A-Za-z_0-9.-]*$/);
  expect(new Set(envNames).size).toBe(envNames.length);
  for (const isolator of app.isolators ?? []) expect(knownIsolators).toContain(isolator.name);
  for (const port of app.ports ?? []) {
    expect(port.name).toMatch(acName);
    expect(port.port).toBeGreaterThanOrEqual(1);
    expect(port.port + (port.count ?? 1)).toBeLessThanOrEqual(65536);
  }
  const result: Record<string, number> = {};
  for (const [label, name] of Object.entries(portMap)) {
    const port = app.ports.find((p: { name: string; port: number }) => p.name === name);
    if (port) result[label] = port.port;
  }
  return result;
}

// --- cgroups, as the executor makes them ---

function hierarchyOf(controller: "memory" | "cpu"): { mount: string; path: string } {
  const line = readFileSync("/proc/self/cgroup", "utf8").split("\n").find((l) => l.split(":")[1]!.split(",").includes(controller))!;
  return { mount: `/sys/fs/cgroup/${controller}`, path: line.split(":")[2]! };
}

/** A fresh cgroup below ours in the memory and cpu hierarchies, limited as the executor limits its own. */
function makeExecutorCgroups(memoryMb: number, cpuMhz: number): { memory: string; cpu: string } {
  const name = `nomad-${crypto.randomUUID()}`;
  const [memory, cpu] = (["memory", "cpu"] as const).map((controller) => {
    const { mount, path } = hierarchyOf(controller);
    const dir = join(mount, path, name);
    mkdirSync(dir);
    executorCgroups.push(dir);
    return dir;
  }) as [string, string];
  writeFileSync(join(memory, "memory.limit_in_bytes"), String(memoryMb * 1024 * 1024));
  writeFileSync(join(cpu, "cpu.shares"), String(cpuMhz));
  return { memory, cpu };
}

function cgroupPids(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const own = readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter((l) => l !== "").map(Number);
  const children = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => cgroupPids(join(dir, e.name)));
  return [...own, ...children];
}

function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeCgroupTree(join(dir, entry.name));
  rmdirSync(dir);
}

/** run-prepared as the executor launches it: in `cgroups`, its own process group, cwd the task dir, stdin /dev/null. */
function launchRunPrepared(driverArgs: string[], cgroups: string[], taskDir: string) {
  const joinCgroups = cgroups.map((c) => `echo $$ > ${c}/cgroup.procs`).join(" && ");
  const proc = Bun.spawn(["setsid", "sh", "-c", `${joinCgroups} && exec "$@"`, "sh", ...rktArgv(driverArgs)], {
    cwd: taskDir,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  runPrepared.push(proc);
  return proc;
}

/** The task dirs Nomad makes for a task, and the volume/mount flags of prepare for them and for the job's `volumes`. */
function taskDirFlags(jobVolumes: { host: string; container: string; readOnly: boolean }[]) {
  const allocDir = join(work.path, "alloc", allocId);
  const dirs = { alloc: join(allocDir, "alloc"), local: join(allocDir, task, "local"), secrets: join(allocDir, task, "secrets") };
  for (const dir of Object.values(dirs)) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
  }
  const flags: string[] = [];
  for (const [kind, source] of Object.entries(dirs)) {
    flags.push(`--volume=${volumePrefix}-${kind},kind=host,source=${source}`, `--mount=volume=${volumePrefix}-${kind},target=/${kind}`);
  }
  jobVolumes.forEach((v, i) => {
    flags.push(`--volume=${volumePrefix}-${i},kind=host,source=${v.host},readOnly=${v.readOnly}`, `--mount=volume=${volumePrefix}-${i},target=${v.container}`);
  });
  return { flags, dirs, taskDir: join(allocDir, task) };
}

/** `--set-env` for the task's variables, in random order as Go's map iteration gives them. */
function setEnvFlags(env: Record<string, string>): string[] {
  return Object.entries(env)
    .map(([k, v]) => ({ flag: `--set-env=${k}=${v}`, order: Math.random() }))
    .sort((a, b) => a.order - b.order)
    .map((e) => e.flag);
}

/** `rkt status --format=json` every second until a network has a global unicast address (the driver's loop). */
async function pollNetwork(uuid: string): Promise<{ ip: string; lastState: string }> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const r = await agentRuns(["status", "--format=json", uuid]);
    if (r.exitCode === 0) {
      const pod = JSON.parse(r.stdout);
      decodesAsApiPod(pod);
      const networks = (pod.networks ?? []) as { ip: string }[];
      if (networks.some((n) => isGlobalUnicast(n.ip))) return { ip: networks[0]!.ip, lastState: pod.state };
    }
    await Bun.sleep(900 + Math.random() * 100);
  }
  throw new Error("the driver would have given up: no global unicast address in 60 status calls");
}

/** Retries `check` (as a health check is retried) until it gives a value; fails after 30 s of failures. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await Bun.sleep(200);
  }
}

describe("Nomad's rkt driver", () => {
  test("fingerprint: `rkt version` parses with the driver's expressions as rkt ≥ 1.27.0", async () => {
    const r = await agentRuns(["version"]);
    expect(r.exitCode).toBe(0);
    const out = r.stdout.trim();
    const rktVersion = /rkt [vV]ersion[:]? (\d[.\d]+)/.exec(out)?.[1];
    const appcVersion = /appc [vV]ersion[:]? (\d[.\d]+)/.exec(out)?.[1];
    expect(appcVersion).toBeDefined();
    expect(rktVersion).toBeDefined();
    expect(versionAtLeast(rktVersion!, "1.27.0")).toBe(true);
    expect(r.stdout.split("\n")).toHaveLength(3); // the two lines of rkt v0.8.0's form
  });

  test("trust_prefix: keys found by meta discovery are trusted; an undiscoverable prefix fails", async () => {
    const trusted = await agentRuns(trustArgv);
    expect(trusted.exitCode).toBe(0);
    expect(readdirSync(join(localConfig, "trustedkeys/prefix.d/127.0.0.1/nomad"))).toEqual([signer.fingerprint]);
    const refused = await agentRuns(["trust", "--skip-fingerprint-review=true", "--prefix=127.0.0.1/elsewhere", "--debug=true"]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("127.0.0.1/elsewhere");
  });

  test("a service task: prepare, run-prepared on the default network, status, cat-manifest, enter checks, SIGINT, rm", async () => {
    const roData = join(work.path, "ro-data");
    mkdirSync(roData, { recursive: true });
    writeFileSync(join(roData, "seed"), "read-only\n");
    const { flags: volumeFlags, dirs, taskDir } = taskDirFlags([{ host: roData, container: "/data", readOnly: true }]);
    const env = {
      NOMAD_TASK_NAME: task,
      NOMAD_ALLOC_DIR: "/alloc",
      NOMAD_TASK_DIR: "/local",
      NOMAD_SECRETS_DIR: "/secrets",
      NOMAD_MEMORY_LIMIT: "64",
      NOMAD_CPU_LIMIT: "100",
      NOMAD_ADDR_main: "127.0.0.1:20080",
      NOMAD_META_owner: "ops, with=commas and spaces",
      NOMAD_META_empty: "",
    };
    const hostPort = 20000 + (process.pid % 10000);
    const script = "env > /alloc/app.env; echo served-by-the-task > /local/index.html; exec /bin/busybox httpd -f -p 8080 -h /local";
    // trust_prefix set and no insecure_options: trust, then no --insecure-options at all, so the image's signature is checked.
    expect((await agentRuns(trustArgv)).exitCode).toBe(0);
    const prepare = await agentRuns([
      "--debug=false", "prepare", ...volumeFlags, ...setEnvFlags(env),
      `${imageName}:1.0.0`, "--exec=sh", "--memory=64M", "--cpu=100m", `--port=http:${hostPort}`, "--user=web", "--group=web",
      "--", "-c", script,
    ]);
    expect(prepare.stderr).toContain("signature verified");
    expect(prepare.exitCode).toBe(0);
    const uuid = prepare.stdout.trim(); // the driver takes the whole of stdout
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const cgroups = makeExecutorCgroups(64, 100);
    const proc = launchRunPrepared(["--debug=false", "run-prepared", "--dns=10.251.93.53", "--dns-search=service.nomad", "--net=default", uuid], [cgroups.memory, cgroups.cpu], taskDir);

    const { ip } = await pollNetwork(uuid);
    expect(ip).toMatch(/^10\.251\.93\./);
    const manifest = await agentRuns(["cat-manifest", uuid]);
    expect(manifest.exitCode).toBe(0);
    expect(portMapFromPodManifest(manifest.stdout, { main: "http" })).toEqual({ main: 8080 });
    expect(JSON.parse(manifest.stdout).apps[0].app.exec[0]).toBe("/bin/sh"); // the relative command, found in the image

    // The app's limits are in cgroups below the executor's, where its stats are read. The
    // address comes before stage1 runs: wait for the app's cgroup to hold it.
    const appCgroup = (root: string) => join(root, `rkt-${uuid}`, "web");
    await waitFor("the app in its cgroup", () => (cgroupPids(appCgroup(cgroups.memory)).length > 0 ? true : undefined));
    await waitFor("the app's page", () => (existsSync(join(dirs.local, "index.html")) ? true : undefined));
    expect(readFileSync(join(appCgroup(cgroups.memory), "memory.limit_in_bytes"), "utf8").trim()).toBe("64000000");
    expect(readFileSync(join(appCgroup(cgroups.cpu), "cpu.cfs_quota_us"), "utf8").trim()).toBe("10000");
    expect(readFileSync(join(appCgroup(cgroups.cpu), "cpu.cfs_period_us"), "utf8").trim()).toBe("100000");

    // Script checks: `rkt enter UUID CMD ARGS...`, output and status passed through.
    // As Nomad's own test looks at the app's user and group: `ps -o user,group,args` in the pod.
    const httpd = /^web\s+web\s+\/bin\/busybox httpd -f -p 8080 -h \/local$/m;
    const ps = await eventually("httpd in ps", async () => {
      const r = await agentRuns(["enter", uuid, "/bin/busybox", "ps", "-o", "user,group,args"]);
      return r.exitCode === 0 && httpd.test(r.stdout) ? r : undefined;
    });
    expect(ps.stdout).toMatch(httpd);
    const files = await agentRuns(["enter", uuid, "/bin/sh", "-c", "cat /etc/resolv.conf /data/seed"]);
    expect(files.exitCode).toBe(0);
    expect(files.stdout).toContain("nameserver 10.251.93.53");
    expect(files.stdout).toContain("search service.nomad");
    expect(files.stdout).toContain("read-only\n");
    expect((await agentRuns(["enter", uuid, "/bin/sh", "-c", "exit 1"])).exitCode).toBe(1);
    expect((await agentRuns(["enter", uuid, "/bin/sh", "-c", "touch /data/new"])).exitCode).not.toBe(0);
    // The port map the driver computed, served from the host's side.
    const page = await eventually("the page through the port map", async () => {
      const r = Bun.spawnSync(["nsenter", `--net=/run/netns/${netns}`, "/bin/busybox", "wget", "-qO-", `http://127.0.0.1:${hostPort}/`]);
      return r.exitCode === 0 ? r.stdout.toString() : undefined;
    });
    expect(page).toBe("served-by-the-task\n");

    const appEnv = readFileSync(join(dirs.alloc, "app.env"), "utf8").split("\n");
    for (const [name, value] of Object.entries(env)) expect(appEnv).toContain(`${name}=${value}`);

    // Kill: SIGINT to the run-prepared process only; it stops the pod and exits.
    proc.kill("SIGINT");
    await proc.exited;
    expect(cgroupPids(cgroups.memory)).toEqual([]);

    const rm = await agentRuns(["rm", uuid]);
    expect(rm.exitCode).toBe(0);
    const gone = await agentRuns(["status", uuid]);
    expect(gone.exitCode).not.toBe(0);
    expect(gone.stderr).toContain("no matches found");
  });

  test("kill_timeout passed: the executor SIGKILLs its cgroup tree, and rm still removes the pod with its network", async () => {
    const { flags: volumeFlags, taskDir } = taskDirFlags([]);
    const hostPort = 30000 + (process.pid % 10000);
    expect((await agentRuns(trustArgv)).exitCode).toBe(0);
    const prepare = await agentRuns([
      "--debug=false", "prepare", ...volumeFlags, ...setEnvFlags({ NOMAD_TASK_NAME: task }),
      `${imageName}:1.0.0`, "--exec=/bin/busybox", "--memory=64M", "--cpu=100m", `--port=http:${hostPort}`, "--", "httpd", "-f", "-p", "8080",
    ]);
    expect(prepare.exitCode).toBe(0);
    const uuid = prepare.stdout.trim();
    const cgroups = makeExecutorCgroups(64, 100);
    const proc = launchRunPrepared(["--debug=false", "run-prepared", "--net=default", uuid], [cgroups.memory, cgroups.cpu], taskDir);
    await pollNetwork(uuid);
    await waitFor("the app in its cgroup", () => (cgroupPids(join(cgroups.memory, `rkt-${uuid}`, "web")).length > 0 ? true : undefined));
    const forwarding = () => Bun.spawnSync(["nsenter", `--net=/run/netns/${netns}`, "iptables-save"]).stdout.toString().includes(`RKT-PFWD-${uuid.slice(0, 8)}`);
    const reservations = () => readdirSync(join(work.path, "ipam", "default")).filter((f) => readFileSync(join(work.path, "ipam", "default", f), "utf8").startsWith(uuid));
    expect(forwarding()).toBe(true);
    expect(reservations()).toHaveLength(1);

    // As libcontainer's Destroy: every process of the cgroup tree, until none is left.
    await waitFor("an empty cgroup tree", () => {
      for (const pid of cgroupPids(cgroups.memory)) process.kill(pid, "SIGKILL");
      return cgroupPids(cgroups.memory).length === 0 ? true : undefined;
    });
    expect(await proc.exited).toBe(137);

    const rm = await agentRuns(["rm", uuid]);
    expect(rm.exitCode).toBe(0);
    expect(forwarding()).toBe(false);
    expect(reservations()).toEqual([]);
    expect((await agentRuns(["status", "--format=json", uuid])).stderr).toContain("no matches found");
  });

  test.each([
    ["host", true],
    ["none", false],
  ])("a batch task with --net=%s and the default insecure options: its network namespace, and its status as run-prepared's", async (net, hostNamespace) => {
    const { flags: volumeFlags, dirs, taskDir } = taskDirFlags([]);
    // No trust_prefix: the driver adds --insecure-options=all; with net=host it sends no --port, and polls no status with host or none.
    const prepare = await agentRuns([
      "--insecure-options=all", "--debug=true", "prepare", ...volumeFlags, ...setEnvFlags({ NOMAD_TASK_NAME: task }),
      unsignedAci, "--exec=/bin/sh", "--memory=32M", "--cpu=50m", "--", "-c", "readlink /proc/self/ns/net > /alloc/netns; /bin/busybox ip -o link > /alloc/links; echo batch-done",
    ]);
    expect(prepare.exitCode).toBe(0);
    const uuid = prepare.stdout.trim();
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const cgroups = makeExecutorCgroups(32, 50);
    const proc = launchRunPrepared(["--insecure-options=all", "--debug=true", "run-prepared", "--dns=host", `--net=${net}`, uuid], [cgroups.memory, cgroups.cpu], taskDir);
    // The app's output comes out of run-prepared's, which Nomad writes to the task's log.
    const [stdout, exitCode] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    expect(exitCode).toBe(0);
    expect(stdout).toContain("batch-done\n");
    const agentNamespace = `net:[${statSync(`/run/netns/${netns}`).ino}]`;
    expect(readFileSync(join(dirs.alloc, "netns"), "utf8").trim() === agentNamespace).toBe(hostNamespace);
    if (!hostNamespace) expect(readFileSync(join(dirs.alloc, "links"), "utf8")).toMatch(/^1: lo: <LOOPBACK,UP,LOWER_UP>[^\n]*\n$/);
    expect((await agentRuns(["rm", uuid])).exitCode).toBe(0);
    expect((await agentRuns(["status", "--format=json", uuid])).stderr).toContain("no matches found");
  });

  test("rm of UUIDs that name no pod fails", async () => {
    expect((await agentRuns(["rm", "00000000-0000-0000-0000-000000000000"])).exitCode).not.toBe(0);
    expect((await agentRuns(["rm", "z".repeat(36)])).exitCode).not.toBe(0);
  });
});
