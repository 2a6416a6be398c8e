// The pod lifecycle commands through the built binary: list, status, gc, rm, stop and
// install, first on hand-made pod directories (exact output), then on real pods.
import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rkt, tempDataDir, tempDir } from "../support/harness";
import { makePod, TestCleanups } from "../unit/pod/lifecycle-fixtures";
import { busyboxImage, collectPods, podsIn, shellApp, spawnRkt, waitFor } from "./run-fixtures";

let data: { path: string; cleanup: () => void };
const cleanups = new TestCleanups();
beforeEach(() => (data = tempDataDir("rkt-lifecycle-e2e-")));
afterEach(async () => {
  await cleanups.run();
  // Pods a test left behind go through gc, which also removes their cgroups.
  collectPods(data.path);
  data.cleanup();
});

describe("usage errors exit 2", () => {
  const misuses = [
    ["status"],
    ["status", "a", "b"],
    ["rm"],
    ["rm", "--uuid-file=/x", "abc"],
    ["stop"],
    ["gc", "--grace-period=soon"],
    ["gc", "--expire-prepared=1d"],
    ["list", "--bogus"],
  ];
  for (const args of misuses) {
    test(`rkt ${args.join(" ")}`, () => {
      const result = rkt(data.path, args);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe("");
    });
  }
});

describe("rkt list", () => {
  test("an empty data directory prints the legend only, or nothing with --no-legend", () => {
    expect(rkt(data.path, ["list"])).toEqual({ exitCode: 0, stdout: "UUID\tAPP\tACI\tSTATE\tNETWORKS\n", stderr: "" });
    expect(rkt(data.path, ["list", "--no-legend"])).toEqual({ exitCode: 0, stdout: "", stderr: "" });
  });

  test("prints one row per app in Go tabwriter layout, sorted by UUID", async () => {
    const two = makePod(data.path, {
      dirState: "run",
      apps: [{ name: "redis", imageName: "redis" }, { name: "etcd", imageName: "coreos.com/etcd" }],
      netInfo: [{ netName: "default", ip: "172.16.28.7" }],
    });
    await cleanups.lockFromChild(two.path);
    const one = makePod(data.path, { dirState: "prepared", apps: [{ name: "hello", imageName: "example.com/hello" }] });
    const rows = [
      [two.uuid, `${two.uuid.slice(0, 8)}\tredis\tredis\t\t\trunning\t\tdefault:ip4=172.16.28.7\n\t\tetcd\tcoreos.com/etcd\t\t\t\t\n`],
      [one.uuid, `${one.uuid.slice(0, 8)}\thello\texample.com/hello\tprepared\t\n`],
    ].sort(([a], [b]) => a!.localeCompare(b!));
    const result = rkt(data.path, ["list"]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("UUID\t\tAPP\tACI\t\t\tSTATE\t\tNETWORKS\n" + rows.map(([, r]) => r).join(""));
  });

  test("--full shows whole UUIDs", () => {
    const pod = makePod(data.path, { dirState: "prepared", apps: [{ name: "a", imageName: "b" }] });
    expect(rkt(data.path, ["list", "--full", "--no-legend"]).stdout).toBe(`${pod.uuid}\ta\tb\tprepared\t\n`);
  });

  test("an unreadable pod gives a stderr line and exit 0", () => {
    const pod = makePod(data.path, { dirState: "prepared", manifestText: "{" });
    const result = rkt(data.path, ["list", "--no-legend"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toStartWith("Unable to read pod manifest: ");
    expect(result.stderr).toContain(pod.uuid);
  });
});

describe("rkt status", () => {
  test("an exited pod: state, pid -1, exited=true and the app statuses", () => {
    const pod = makePod(data.path, { dirState: "run", apps: [{ name: "b" }, { name: "a" }], statuses: { a: "0\n", b: "2\n" }, pid: 1 });
    expect(rkt(data.path, ["status", pod.uuid.slice(0, 6)])).toEqual({
      exitCode: 0,
      stdout: "state=exited\npid=-1\nexited=true\napp-b=2\napp-a=0\n",
      stderr: "",
    });
  });

  test("a prepared pod prints only its state", () => {
    const pod = makePod(data.path, { dirState: "prepared" });
    expect(rkt(data.path, ["status", pod.uuid]).stdout).toBe("state=prepared\n");
  });

  test("an unknown UUID fails with rkt's message", () => {
    const result = rkt(data.path, ["status", "abcdef"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`status: Unable to resolve UUID: no matches found for "abcdef" (see 'rkt list --full')\n`);
  });
});

describe("rkt gc", () => {
  test("marks exited pods on stderr, collects garbage on stdout, leaves running pods", async () => {
    const exited = makePod(data.path, { dirState: "run" });
    const running = makePod(data.path, { dirState: "run" });
    await cleanups.lockFromChild(running.path);
    const first = rkt(data.path, ["gc"]);
    expect(first).toEqual({ exitCode: 0, stdout: "", stderr: `Moving pod "${exited.uuid}" to garbage\n` });
    const second = rkt(data.path, ["gc", "--grace-period=0s"]);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toBe(`Garbage collecting pod "${exited.uuid}"\n`);
    expect(podsIn(data.path)).toEqual({ run: [running.uuid] });
  });

  test("expires prepared pods with --expire-prepared", () => {
    const pod = makePod(data.path, { dirState: "prepared" });
    expect(rkt(data.path, ["gc"]).stderr).toBe("");
    const result = rkt(data.path, ["gc", "--expire-prepared=0s"]);
    expect(result.stderr).toBe(`Moving expired prepared pod "${pod.uuid}" to garbage\n`);
    expect(result.stdout).toBe(`Garbage collecting pod "${pod.uuid}"\n`);
  });
});

describe("rkt rm", () => {
  test("refuses a running pod with exit 1", async () => {
    const pod = makePod(data.path, { dirState: "run" });
    await cleanups.lockFromChild(pod.path);
    const result = rkt(data.path, ["rm", pod.uuid]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`rm: Pod "${pod.uuid}" is currently running: stop it first ('rkt stop ${pod.uuid}')\n`);
    expect(podsIn(data.path)).toEqual({ run: [pod.uuid] });
  });

  test("removes a prepared pod named by --uuid-file", () => {
    const pod = makePod(data.path, { dirState: "prepared" });
    const file = join(data.path, "uuid");
    writeFileSync(file, `${pod.uuid}\n`);
    const result = rkt(data.path, ["rm", `--uuid-file=${file}`]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe(`Moving expired prepared pod "${pod.uuid}" to garbage\n`);
    expect(result.stdout).toBe(`Garbage collecting pod "${pod.uuid}"\n`);
    expect(podsIn(data.path)).toEqual({});
  });

  test("a --uuid-file without a full UUID is an error", () => {
    const file = join(data.path, "uuid");
    writeFileSync(file, "abc\n");
    const result = rkt(data.path, ["rm", `--uuid-file=${file}`]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toStartWith(`rm: ${file}: "abc" is not a UUID`);
  });
});

describe("rkt stop", () => {
  test("a pod that is not running is an error", () => {
    const pod = makePod(data.path, { dirState: "run" });
    const result = rkt(data.path, ["stop", pod.uuid]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`stop: Pod "${pod.uuid}" isn't currently running\n`);
  });

  test("signals a running pod's PID 1 and waits until it has exited", async () => {
    const pod = makePod(data.path, { dirState: "run" });
    const holder = await cleanups.lockFromChild(pod.path);
    writeFileSync(join(pod.path, "pid"), `${holder.pid}\n`);
    const result = rkt(data.path, ["stop", pod.uuid.slice(0, 8)]);
    expect(result).toEqual({ exitCode: 0, stdout: `${pod.uuid}\n`, stderr: "" });
    expect(rkt(data.path, ["status", pod.uuid]).stdout).toStartWith("state=exited\n");
  });
});

describe("rkt install", () => {
  const hasRktGroup = () => readFileSync("/etc/group", "utf8").split("\n").some((l) => l.startsWith("rkt:"));

  test("prepares the data directory for group rkt, or says the group is missing", () => {
    const dir = join(data.path, "installed");
    const addedGroup = !hasRktGroup();
    if (addedGroup) {
      const result = rkt(dir, ["install"]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe('install: error looking up rkt gid: "rkt" group not found\n');
      expect(Bun.spawnSync(["groupadd", "--system", "rkt"]).exitCode).toBe(0);
    }
    try {
      const result = rkt(dir, ["install"]);
      expect(result).toEqual({ exitCode: 0, stdout: "", stderr: "rkt directory structure successfully created.\n" });
      expect(statSync(join(dir, "cas", "db")).mode & 0o7777).toBe(0o775);
      expect(statSync(join(dir, "pods")).mode & 0o7777).toBe(0o700);
    } finally {
      if (addedGroup) Bun.spawnSync(["groupdel", "rkt"]);
    }
  });
});

describe("real pods", () => {
  const work = tempDir("rkt-lifecycle-images-");
  afterAll(() => work.cleanup());
  const image = (name: string, script: string) => busyboxImage(work.path, name, shellApp(script));

  function runPod(aci: string): { uuid: string; exitCode: number } {
    const uuidFile = join(work.path, `uuid-${Math.random().toString(36).slice(2)}`);
    const result = rkt(data.path, ["--insecure-skip-verify", "run", `--uuid-file-save=${uuidFile}`, aci]);
    return { uuid: readFileSync(uuidFile, "utf8").trim(), exitCode: result.exitCode };
  }

  function mountsUnder(dir: string): string[] {
    return readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .map((l) => l.split(" ")[4] ?? "")
      .filter((p) => p.startsWith(dir + "/"));
  }

  test("an exited pod: status shows the app's status, list shows it, two gc runs remove it with its mounts", () => {
    const { uuid, exitCode } = runPod(image("example.com/three", "exit 3"));
    expect(exitCode).toBe(3);
    expect(rkt(data.path, ["status", uuid]).stdout).toBe("state=exited\npid=-1\nexited=true\napp-three=3\n");
    expect(rkt(data.path, ["list", "--no-legend", "--full"]).stdout).toBe(`${uuid}\tthree\texample.com/three\texited\t\n`);
    const marked = rkt(data.path, ["gc"]);
    expect(marked.stderr).toBe(`Moving pod "${uuid}" to garbage\n`);
    expect(podsIn(data.path)).toEqual({ "exited-garbage": [uuid] });
    const swept = rkt(data.path, ["gc", "--grace-period=0s"]);
    expect(swept).toEqual({ exitCode: 0, stdout: `Garbage collecting pod "${uuid}"\n`, stderr: "" });
    expect(podsIn(data.path)).toEqual({});
    expect(mountsUnder(join(data.path, "pods"))).toEqual([]);
  });

  test("a running pod: rm refuses it, gc leaves it, stop ends it, then rm removes it", async () => {
    const uuidFile = join(work.path, "running-uuid");
    const pod = spawnRkt(data.path, ["--insecure-skip-verify", "run", `--uuid-file-save=${uuidFile}`, image("example.com/sleeper", "exec sleep 1000")]);
    cleanups.add(async () => {
      pod.kill("SIGKILL");
      await pod.exited;
    });
    const uuid = await waitFor("the pod to start", () => {
      if (!existsSync(uuidFile)) return undefined;
      const id = readFileSync(uuidFile, "utf8").trim();
      return rkt(data.path, ["status", id]).stdout.includes("pid=") ? id : undefined;
    });
    const refused = rkt(data.path, ["rm", uuid]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(`rm: Pod "${uuid}" is currently running: stop it first ('rkt stop ${uuid}')\n`);
    expect(rkt(data.path, ["gc", "--grace-period=0s", "--expire-prepared=0s"])).toEqual({ exitCode: 0, stdout: "", stderr: "" });
    expect(rkt(data.path, ["list", "--no-legend"]).stdout).toContain("\trunning\t");
    expect(rkt(data.path, ["stop", uuid])).toEqual({ exitCode: 0, stdout: `${uuid}\n`, stderr: "" });
    expect(await pod.exited).not.toBe(0);
    expect(rkt(data.path, ["status", uuid]).stdout).toStartWith("state=exited\npid=-1\nexited=true\napp-sleeper=");
    const removed = rkt(data.path, ["rm", uuid]);
    expect(removed.exitCode).toBe(0);
    expect(removed.stdout).toBe(`Garbage collecting pod "${uuid}"\n`);
    expect(podsIn(data.path)).toEqual({});
    expect(mountsUnder(join(data.path, "pods"))).toEqual([]);
  });

  test("status --wait returns once a running pod has exited", async () => {
    const uuidFile = join(work.path, "waited-uuid");
    const pod = spawnRkt(data.path, ["--insecure-skip-verify", "run", `--uuid-file-save=${uuidFile}`, image("example.com/brief", "sleep 0.5; exit 4")]);
    cleanups.add(async () => {
      pod.kill("SIGKILL");
      await pod.exited;
    });
    const uuid = await waitFor("the UUID file", () => (existsSync(uuidFile) ? readFileSync(uuidFile, "utf8").trim() || undefined : undefined));
    const waited = rkt(data.path, ["status", "--wait", uuid]);
    expect(waited.stdout).toBe("state=exited\npid=-1\nexited=true\napp-brief=4\n");
  });

  /** The first bytes of an aarch64 executable: a valid ELF header this (x86-64) kernel refuses with ENOEXEC. */
  function aarch64ElfHeader(): Buffer {
    const header = Buffer.alloc(64);
    header.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]); // ELF, 64-bit, little-endian, version 1
    header.writeUInt16LE(2, 16); // ET_EXEC
    header.writeUInt16LE(183, 18); // EM_AARCH64
    header.writeUInt32LE(1, 20);
    header.writeUInt16LE(64, 52); // e_ehsize
    return header;
  }

  for (const [what, program] of [
    ["a script without #!", () => Buffer.from("echo collected\n")],
    ["an aarch64 program", aarch64ElfHeader],
  ] as const) {
    test(`a stage1 gc entrypoint that cannot be executed (${what}): gc and rm name the pod in one line, exit 1 and keep it`, () => {
      const { uuid } = runPod(image("example.com/done", "exit 0"));
      const stage1Id = readFileSync(join(data.path, "pods", "run", uuid, "stage1ID"), "utf8");
      const gcProgram = join(data.path, "cas", "tree", stage1Id, "rootfs", "gc");
      const original = readFileSync(gcProgram);
      cleanups.add(() => writeFileSync(gcProgram, original));
      writeFileSync(gcProgram, program());
      expect(rkt(data.path, ["gc"]).exitCode).toBe(0);
      const failure = `Stage1 GC of pod "${uuid}" failed: execute ${gcProgram}: Exec format error (not a program for this host: built for another architecture, or a script without #!); the pod is kept until its stage1 can run here\n`;
      expect(rkt(data.path, ["gc", "--grace-period=0s"])).toEqual({ exitCode: 1, stdout: `Garbage collecting pod "${uuid}"\n`, stderr: failure });
      expect(podsIn(data.path)).toEqual({ "exited-garbage": [uuid] });
      expect(rkt(data.path, ["rm", uuid])).toEqual({ exitCode: 1, stdout: `Garbage collecting pod "${uuid}"\n`, stderr: `rm: ${failure}` });
      expect(podsIn(data.path)).toEqual({ "exited-garbage": [uuid] });
    });
  }
});
