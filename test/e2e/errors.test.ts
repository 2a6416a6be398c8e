// The error surface users meet across commands: one line naming what failed on what and
// what to do, never Node's raw errno text or a stack trace, and the documented exit codes.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { repoRoot, rkt, rktBinary, tempDataDir, tempDir, type RunResult } from "../support/harness";
import { podsIn } from "./run-fixtures";

const data = tempDataDir();
const scratch = tempDir("rkt-errors-");
afterAll(() => {
  data.cleanup();
  scratch.cleanup();
});

const helloAci = join(repoRoot, "dist/hello.aci");
const nobody = 65534;

/** Runs dist/rkt as user and group nobody, without supplementary groups. */
function rktAsNobody(dataDir: string, args: string[]): RunResult {
  const proc = Bun.spawnSync(["setpriv", `--reuid=${nobody}`, `--regid=${nobody}`, "--clear-groups", rktBinary, `--dir=${dataDir}`, ...args], { stdin: "ignore" });
  return { exitCode: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

/** One line, with no Node errno prefix (`ENOENT: ...`) and no stack frame. */
function expectOneReadableLine(stderr: string): void {
  expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(stderr).not.toMatch(/\bE[A-Z]+: /);
  expect(stderr).not.toContain("    at ");
}

describe("errors from the file system", () => {
  test("a --dir that is a file is reported as not a directory", () => {
    const file = join(scratch.path, "not-a-dir");
    writeFileSync(file, "");
    const r = rkt(file, ["list"]);
    expect(r.exitCode).toBe(1);
    expectOneReadableLine(r.stderr);
    expect(r.stderr).toBe(`list: read directory ${file}/pods/prepare: Not a directory\n`);
  });

  test("rm --uuid-file with a missing file names the file and the reason", () => {
    const missing = join(scratch.path, "no-such-uuid-file");
    const r = rkt(data.path, ["rm", `--uuid-file=${missing}`]);
    expect(r.exitCode).toBe(1);
    expectOneReadableLine(r.stderr);
    expect(r.stderr).toBe(`rm: unable to read UUID from file: open ${missing}: No such file or directory\n`);
  });

  test("run --pod-manifest with a missing file names the file and the reason", () => {
    const missing = join(scratch.path, "no-such-pod-manifest.json");
    const r = rkt(data.path, ["--insecure-skip-verify", "run", `--pod-manifest=${missing}`]);
    expect(r.exitCode).toBe(1);
    expectOneReadableLine(r.stderr);
    expect(r.stderr).toContain(`open ${missing}: No such file or directory`);
  });

  test("run --pod-manifest=/dev/zero fails at the size limit instead of reading forever", () => {
    const r = rkt(data.path, ["--insecure-skip-verify", "run", "--pod-manifest=/dev/zero"]);
    expect(r).toMatchObject({ exitCode: 1, stderr: "run: read /dev/zero: larger than the 4 MiB allowed\n" });
  });
});

describe("errors from the network", () => {
  test("a server that never answers fails after the timeout set in the environment, naming the URL", async () => {
    const silent = createServer((socket) => socket.on("error", () => {}));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/app.aci`;
      const r = rkt(data.path, ["--insecure-skip-verify", "fetch", url], { env: { RKT_HTTP_RESPONSE_TIMEOUT: "0.5" } });
      expect(r).toMatchObject({ exitCode: 1, stderr: `fetch: error downloading ACI: ${url}: no response within 0.5 s (RKT_HTTP_RESPONSE_TIMEOUT sets the limit)\n` });
    } finally {
      silent.close();
    }
  });
});

describe("a user who is not root", () => {
  const rootOnly = tempDataDir("rkt-root-only-");
  afterAll(rootOnly.cleanup);

  test("is told that reading root's data directory needs root, by list, status and stop alike", () => {
    mkdirSync(join(rootOnly.path, "pods"), { mode: 0o700 });
    chmodSync(rootOnly.path, 0o700);
    for (const args of [["list"], ["status", "0123"], ["stop", "0123"]]) {
      const r = rktAsNobody(rootOnly.path, args);
      expect(r.exitCode).toBe(1);
      expectOneReadableLine(r.stderr);
      expect(r.stderr).toBe(`${args[0]}: read directory ${rootOnly.path}/pods/prepare: Permission denied (rkt needs root privileges for this: try again as root)\n`);
    }
  });

  test("cannot run, prepare, run-prepared or enter, and no pod is left behind", () => {
    const own = tempDataDir("rkt-nobody-");
    try {
      chownSync(own.path, nobody, nobody);
      const commands = [["run", helloAci], ["prepare", helloAci], ["run-prepared", "0123"], ["enter", "0123"]];
      for (const [name, ...args] of commands) {
        const r = rktAsNobody(own.path, ["--insecure-skip-verify", name!, ...args]);
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toBe(`${name}: pods need root privileges (namespaces and mounts): try again as root\n`);
      }
      expect(podsIn(own.path)).toEqual({});
    } finally {
      own.cleanup();
    }
  });

  test("may read a readable store's image from an earlier boot: proven, its mark left for root", () => {
    const shared = tempDataDir("rkt-readable-");
    const outDir = tempDir("rkt-nobody-exports-");
    try {
      rkt(shared.path, ["--insecure-skip-verify", "fetch", helloAci]);
      const key = rkt(shared.path, ["image", "list", "--no-legend", "--fields=key"]).stdout.trim();
      const mark = join(shared.path, "cas/blobunsynced", key);
      writeFileSync(mark, "unsynced 00000000-0000-4000-8000-000000000000\n");
      Bun.spawnSync(["chmod", "-R", "o+rX", shared.path]);
      chownSync(outDir.path, nobody, nobody);
      const r = rktAsNobody(shared.path, ["image", "export", key, join(outDir.path, "hello.aci")]);
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      expect(existsSync(mark)).toBe(true);
    } finally {
      shared.cleanup();
      outDir.cleanup();
    }
  });

  test("still gets usage errors and help first", () => {
    expect(rktAsNobody(rootOnly.path, ["run"]).exitCode).toBe(2);
    const help = rktAsNobody(rootOnly.path, ["run", "--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("rkt run - Run image(s) in a pod in rkt");
  });
});
