// `rkt run` started by the host's socket activation: Debian's systemd-socket-activate binds
// the ports, waits for the first connection or datagram, then execs rkt with LISTEN_FDS and
// LISTEN_PID; stage1 (same PID as rkt) hands the passed sockets through to the apps.
import { afterAll, afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { rktBinary, tempDataDir, tempDir } from "../support/harness";
import { busyboxImage, collectPods, shellApp, waitFor } from "./run-fixtures";

// Fetching images and running pods on a loaded 2-core machine can take seconds.
setDefaultTimeout(60_000);

const work = tempDir("rkt-socket-activation-images-");
const data = tempDataDir("rkt-socket-activation-");
afterEach(() => collectPods(data.path));
afterAll(() => {
  data.cleanup();
  work.cleanup();
});

type Protocol = "tcp" | "udp";

/** A loopback port nothing listens on now (the tests run in a network namespace of their own). */
function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/** The inode of the socket bound to 127.0.0.1:PORT, from /proc/net/tcp or udp (column 10). */
function boundSocketInode(protocol: Protocol, port: number): string | undefined {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of readFileSync(`/proc/net/${protocol}`, "utf8").split("\n").slice(1)) {
    const columns = line.trim().split(/\s+/);
    if (columns[1] === local) return columns[9];
  }
  return undefined;
}

/**
 * Prints, for the app's shell, each socket it holds (`FD socket:[INODE]`) and every LISTEN_*
 * variable it sees (`LISTEN_PID=self` when it names the app's own PID). The shell's own
 * pipes (command substitution) are not sockets, so they do not show.
 */
const reportSockets = [
  'for f in /proc/$$/fd/*; do l=$(readlink "$f") && case "$l" in socket:*) echo "${f##*/} $l";; esac; done',
  'self=$$; env | while read -r v; do case "$v" in "LISTEN_PID=$self") echo LISTEN_PID=self;; LISTEN_*) echo "$v";; esac; done',
].join("; ");

/** An image whose app reports its sockets and declares PORTS as socket-activated. */
function reportingImage(name: string, ports: { protocol: Protocol; port: number }[]): string {
  const manifestPorts = ports.map((p, i) => ({ name: `port${i}`, protocol: p.protocol, port: p.port, socketActivated: true }));
  return busyboxImage(work.path, name, shellApp(reportSockets, manifestPorts.length ? { ports: manifestPorts } : {}));
}

/**
 * Runs `systemd-socket-activate LISTEN_FLAGS rkt run RUN_ARGS`; once the activator holds
 * every port of WAIT_FOR, calls trigger (which must make a socket readable), and returns the
 * inodes of those sockets and rkt's output.
 */
async function activatedRun(activatorFlags: string[], runArgs: string[], listened: { protocol: Protocol; port: number }[], trigger: () => void) {
  const activator = Bun.spawn(["systemd-socket-activate", ...activatorFlags, rktBinary, `--dir=${data.path}`, "--insecure-skip-verify", "run", "--mds-register=false", ...runArgs], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    const inodes: string[] = [];
    for (const { protocol, port } of listened) inodes.push(await waitFor(`the activator's ${protocol} port ${port}`, () => boundSocketInode(protocol, port)));
    trigger();
    const [exitCode, stdout, stderr] = await Promise.all([activator.exited, new Response(activator.stdout).text(), new Response(activator.stderr).text()]);
    return { inodes, exitCode, stdout, stderr };
  } finally {
    activator.kill("SIGKILL");
    await activator.exited;
  }
}

/** A TCP connection to 127.0.0.1:PORT, closed at once: it waits in the listening socket's queue. */
function connectTcp(port: number): void {
  expect(Bun.spawnSync(["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`]).exitCode).toBe(0);
}

function sendUdp(port: number): void {
  expect(Bun.spawnSync(["bash", "-c", `echo wake-up > /dev/udp/127.0.0.1/${port}`]).exitCode).toBe(0);
}

describe("rkt run started by the host's socket activation", () => {
  test("hands the host's TCP socket to the app that declares its port, instead of binding one", async () => {
    const port = freePort();
    const image = reportingImage("example.com/activated-tcp", [{ protocol: "tcp", port }]);
    const run = await activatedRun(["-l", `127.0.0.1:${port}`], [image], [{ protocol: "tcp", port }], () => connectTcp(port));
    expect(run.stderr).not.toContain("stage1:");
    expect(run).toMatchObject({ exitCode: 0 });
    expect(run.stdout).toBe(`3 socket:[${run.inodes[0]}]\nLISTEN_FDS=1\nLISTEN_PID=self\n`);
  });

  test("hands a UDP socket through the same way", async () => {
    const port = freePort();
    const image = reportingImage("example.com/activated-udp", [{ protocol: "udp", port }]);
    const run = await activatedRun(["--datagram", "-l", `127.0.0.1:${port}`], [image], [{ protocol: "udp", port }], () => sendUdp(port));
    expect(run).toMatchObject({ exitCode: 0 });
    expect(run.stdout).toContain(`3 socket:[${run.inodes[0]}]\nLISTEN_FDS=1\n`);
  });

  test("gives several passed sockets to the apps in the order of each app's ports", async () => {
    const [first, second] = [freePort(), freePort()];
    // The activator passes first, second; the app declares them the other way round.
    const image = reportingImage("example.com/activated-two", [
      { protocol: "tcp", port: second },
      { protocol: "tcp", port: first },
    ]);
    const ports = [first, second].map((port) => ({ protocol: "tcp" as const, port }));
    const run = await activatedRun(["-l", `127.0.0.1:${first}`, "-l", `127.0.0.1:${second}`], [image], ports, () => connectTcp(first));
    expect(run).toMatchObject({ exitCode: 0 });
    expect(run.stdout).toBe(`3 socket:[${run.inodes[1]}]\n4 socket:[${run.inodes[0]}]\nLISTEN_FDS=2\nLISTEN_PID=self\n`);
  });

  test("closes a passed socket on a port no app declares, with a note, and no app gets it", async () => {
    const [declared, undeclared] = [freePort(), freePort()];
    const web = reportingImage("example.com/activated-web", [{ protocol: "tcp", port: declared }]);
    const plain = reportingImage("example.com/activated-plain", []);
    const ports = [declared, undeclared].map((port) => ({ protocol: "tcp" as const, port }));
    const run = await activatedRun(["-l", `127.0.0.1:${declared}`, "-l", `127.0.0.1:${undeclared}`], [web, plain], ports, () => connectTcp(undeclared));
    expect(run).toMatchObject({ exitCode: 0 });
    expect(run.stderr).toContain(`stage1: warning: socket activation: no app has a socket-activated tcp port ${undeclared} for descriptor 4, closing it\n`);
    expect(run.stderr.match(/stage1:/g)).toHaveLength(1);
    // Several apps: each line is prefixed with its app's name; plain has no socket at all.
    const lines = run.stdout.split("\n").filter(Boolean).sort();
    expect(lines).toEqual([`activated-web: 3 socket:[${run.inodes[0]}]`, "activated-web: LISTEN_FDS=1", "activated-web: LISTEN_PID=self"]);
  });

  test("apps never see the host's LISTEN_* variables, also with --inherit-env", async () => {
    const port = freePort();
    const web = reportingImage("example.com/activated-env-web", [{ protocol: "tcp", port }]);
    const plain = reportingImage("example.com/activated-env-plain", []);
    const run = await activatedRun(["--fdname=host-name", "-l", `127.0.0.1:${port}`], ["--inherit-env", web, plain], [{ protocol: "tcp", port }], () =>
      connectTcp(port),
    );
    expect(run).toMatchObject({ exitCode: 0 });
    const lines = run.stdout.split("\n").filter(Boolean).sort();
    expect(lines).toEqual([`activated-env-web: 3 socket:[${run.inodes[0]}]`, "activated-env-web: LISTEN_FDS=1", "activated-env-web: LISTEN_PID=self"]);
  });
});
