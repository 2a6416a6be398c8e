// `rkt run`: pods of busybox apps through the built binary and the default stage1.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { repoRoot, rkt, rktBinary, tempDataDir, tempDir } from "../support/harness";
import { appStatuses, busyboxImage, collectPods, podsIn, shellApp } from "./run-fixtures";
import { TerminalSession } from "./terminal-session";

const work = tempDir("rkt-run-images-");
const data = tempDataDir("rkt-run-");
afterAll(() => {
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

/** `rkt --insecure-skip-verify run ARGS` on the shared data directory, with a UUID file. */
function run(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  const uuidFile = join(work.path, `uuid-${Math.random().toString(36).slice(2)}`);
  const result = rkt(data.path, ["--insecure-skip-verify", "run", `--uuid-file-save=${uuidFile}`, ...args], opts);
  const uuid = existsSync(uuidFile) ? readFileSync(uuidFile, "utf8") : undefined;
  return { ...result, uuid };
}

/** Writes a --pod-manifest file into the work directory; returns its path. */
function podManifestFile(name: string, text: string): string {
  const path = join(work.path, `${name}.json`);
  writeFileSync(path, text);
  return path;
}

/** A --pod-manifest file running the ok and hello images side by side. */
function twoAppPodManifest(): string {
  const idOf = (image: string) => rkt(data.path, ["--insecure-skip-verify", "fetch", image]).stdout.trim();
  const apps = [images.ok!, images.hello!].map((image, i) => ({ name: `app${i}`, image: { id: idOf(image) } }));
  return podManifestFile("two-apps", JSON.stringify({ acKind: "PodManifest", acVersion: "0.6.1", apps }));
}

let images: Record<string, string>;
beforeAll(() => {
  const img = (name: string, app: Record<string, unknown> | undefined, extra = {}) => busyboxImage(work.path, name, app, extra);
  images = {
    hello: img("example.com/hello", shellApp('echo "hello from $AC_APP_NAME"')),
    args: img("example.com/args", { exec: ["/bin/echo", "image-arg"] }),
    fail: img("example.com/fail", shellApp("exit 3")),
    slowfail: img("example.com/slowfail", shellApp("sleep 0.3; exit 5")),
    ok: img("example.com/ok", shellApp("echo ok")),
    writer: img("example.com/writer", shellApp("echo shared-data > /shared/file")),
    reader: img("example.com/reader", shellApp("while ! test -e /shared/file; do sleep 0.05; done; cat /shared/file")),
    user: img("example.com/user", { exec: ["/bin/id"], user: "web", group: "web" }),
    nolib: img("example.com/library", undefined),
    volume: img("example.com/volume", shellApp('echo "$1" > /data/out; cat /data/in', { mountPoints: [{ name: "data", path: "/data" }] })),
    readonly: img("example.com/readonly", shellApp("touch /data/new 2>/dev/null && echo writable || echo read-only", { mountPoints: [{ name: "data", path: "/data" }] })),
    memory: img("example.com/memory", shellApp("dd if=/dev/zero of=/dev/null bs=64M count=1 && echo survived", { isolators: [{ name: "resource/memory", value: { limit: "16Mi" } }] })),
  };
  // The env image sets A and B; the test overrides B with --set-env and inherits C.
  images.env = img("example.com/env2", shellApp("env", { environment: [{ name: "A", value: "image" }, { name: "B", value: "image" }] }));
});

describe("rkt run", () => {
  test("runs the README's demo image and exits 0", () => {
    const result = rkt(data.path, ["--insecure-skip-verify", "run", join(repoRoot, "dist/hello.aci")]);
    expect(result.stderr).not.toContain("stage1:");
    expect(result.exitCode).toBe(0);
  });

  test("runs an app, passing its output through, and records its exit status", () => {
    const result = run([images.hello!]);
    expect(result.stdout).toBe("hello from hello\n");
    expect(result.exitCode).toBe(0);
    expect(appStatuses(data.path, result.uuid!)).toEqual({ hello: 0 });
  });

  test("runs two apps in one pod; each status is recorded", () => {
    const result = run([images.ok!, images.hello!]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("ok: ok\n");
    expect(result.stdout).toContain("hello: hello from hello\n");
    expect(appStatuses(data.path, result.uuid!)).toEqual({ ok: 0, hello: 0 });
    expect(rkt(data.path, ["status", result.uuid!]).stdout).toBe("state=exited\npid=-1\nexited=true\napp-ok=0\napp-hello=0\n");
  });

  test("exits with the failing app's status", () => {
    expect(run([images.fail!]).exitCode).toBe(3);
    const two = run([images.ok!, images.slowfail!]);
    expect(two.exitCode).toBe(5);
    expect(appStatuses(data.path, two.uuid!)).toEqual({ ok: 0, slowfail: 5 });
  });

  test("appends per-app arguments, and --exec replaces the image's exec", () => {
    expect(run([images.args!, "--", "one", "two"]).stdout).toBe("image-arg one two\n");
    expect(run([images.args!, "--exec=/bin/echo", "--", "only", "---"]).stdout).toBe("only\n");
  });

  test("environment: --inherit-env < image < --set-env, plus the appc variables", () => {
    const result = run(["--inherit-env", "--set-env=B=flag", images.env!], { env: { A: "host", B: "host", C: "host" } });
    expect(result.exitCode).toBe(0);
    const env = Object.fromEntries(result.stdout.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    expect(env).toMatchObject({ A: "image", B: "flag", C: "host", AC_APP_NAME: "env2", AC_METADATA_URL: "", container: "rkt", HOME: "/root" });
  });

  test("a bunfig.toml or .env in the working directory is not read: no preload runs, no variable reaches an --inherit-env app", () => {
    const cwd = join(work.path, "untrusted-cwd");
    mkdirSync(cwd);
    const ran = join(cwd, "preload-ran");
    writeFileSync(join(cwd, "bunfig.toml"), 'preload = ["./preload.ts"]\n');
    writeFileSync(join(cwd, "preload.ts"), `require("node:fs").writeFileSync(${JSON.stringify(ran)}, "");\n`);
    writeFileSync(join(cwd, ".env"), "C=dotenv\nD=dotenv\n");
    const result = run(["--inherit-env", images.env!], { env: { C: "host" }, cwd });
    expect(result.exitCode).toBe(0);
    expect(existsSync(ran)).toBe(false);
    const env = Object.fromEntries(result.stdout.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    expect(env.C).toBe("host");
    expect(env.D).toBeUndefined();
  });

  test("resolves user and group names in the image's /etc/passwd and /etc/group", () => {
    const result = run([images.user!]);
    const [ids, groups] = result.stdout.trim().split(" groups=");
    expect(ids).toBe("uid=1000(web) gid=1000(web)");
    expect(groups!.split(",").sort()).toEqual(["10(wheel)", "1000(web)"]);
  });

  test("mounts a host volume read-write, and read-only when asked", () => {
    const host = join(work.path, "host-volume");
    mkdirSync(host, { recursive: true });
    writeFileSync(join(host, "in"), "from the host\n");
    const rw = run([`--volume=data,kind=host,source=${host}`, images.volume!, "--", "from-the-app"]);
    expect(rw.stdout).toBe("from the host\n");
    expect(readFileSync(join(host, "out"), "utf8")).toBe("from-the-app\n");
    const ro = run([`--volume=data,kind=host,source=${host},readOnly=true`, images.readonly!]);
    expect(ro.stdout).toBe("read-only\n");
    expect(existsSync(join(host, "new"))).toBe(false);
  });

  test("an empty volume is shared by the apps that mount it", () => {
    const result = run(["--volume=shared,kind=empty", "--mount=volume=shared,target=/shared", images.writer!, images.reader!]);
    expect(result.stdout).toContain("reader: shared-data\n");
    expect(result.exitCode).toBe(0);
  });

  test("a memory limit stops an app that exceeds it", () => {
    const result = run([images.memory!]);
    expect(result.stdout).not.toContain("survived");
    expect(result.exitCode).toBe(128 + 9);
  });

  test("--no-overlay copies the trees into the pod", () => {
    const result = run(["--no-overlay", images.hello!]);
    expect(result.stdout).toBe("hello from hello\n");
    const pod = join(data.path, "pods", "run", result.uuid!);
    expect(existsSync(join(pod, "overlay-prepared"))).toBe(false);
    expect(existsSync(join(pod, "stage1/rootfs/opt/stage2/hello/rootfs/bin/busybox"))).toBe(true);
  });

  test("--private-users runs the pod in a user namespace with a shifted range", () => {
    const image = busyboxImage(work.path, "example.com/userns", shellApp("cat /proc/self/uid_map"));
    const result = run(["--no-overlay", "--private-users", image]);
    expect(result.exitCode).toBe(0);
    const [inside, outside, count] = result.stdout.trim().split(/\s+/).map(Number);
    expect(inside).toBe(0);
    expect(outside! % 65536).toBe(0);
    expect(outside).toBeGreaterThan(0);
    expect(count).toBe(65536);
    const pod = join(data.path, "pods", "run", result.uuid!);
    expect(readFileSync(join(pod, "private-users-prepared"), "utf8")).toBe(`${outside}:65536`);
  });

  test("--interactive gives the app a terminal of the pod's own, relays typed input and output, logs the output, and restores the terminal", async () => {
    const image = busyboxImage(work.path, "example.com/tty", shellApp('echo ready; read line; echo "got $line"; readlink /proc/self/fd/0; stat -L -c %d /proc/self/fd/0 /dev/pts; exit 4'));
    const uuidFile = join(work.path, "interactive-uuid");
    // The devices of rkt's terminal's filesystem, of the app's, and of the pod's /dev/pts.
    const session = new TerminalSession(`stat -L -c %d /proc/self/fd/0; ${rktBinary} --dir=${data.path} --insecure-skip-verify run --mds-register=false --uuid-file-save=${uuidFile} --interactive ${image}`);
    try {
      await session.waitFor("ready\r\n");
      session.type("typed\n");
      const transcript = await session.finish();
      expect(transcript.commandStatus).toBe(4);
      const shown = /^(\d+)\r\n(ready\r\ntyped\r\ngot typed\r\n\/dev\/pts\/\d+\r\n(\d+)\r\n(\d+)\r\n)$/;
      expect(transcript.commandOutput).toMatch(shown);
      const [, rktTerminalDevice, appOutput, appTerminalDevice, podPtsDevice] = shown.exec(transcript.commandOutput)!;
      expect(appTerminalDevice).toBe(podPtsDevice!);
      expect(appTerminalDevice).not.toBe(rktTerminalDevice!);
      expect(transcript.modeAfter).toBe(transcript.modeBefore);
      const uuid = readFileSync(uuidFile, "utf8");
      expect(readFileSync(join(data.path, "pods", "run", uuid, "logs", "tty"), "utf8")).toBe(appOutput!);
      expect(appStatuses(data.path, uuid)).toEqual({ tty: 4 });
    } finally {
      session.close();
    }
  });

  test("--interactive passes the terminal's TERM to the app, unless the app's environment sets one", async () => {
    const image = busyboxImage(work.path, "example.com/term", shellApp('echo "term=$TERM"'));
    const run = (setEnv: string) => new TerminalSession(`TERM=xterm-256color ${rktBinary} --dir=${data.path} --insecure-skip-verify run --mds-register=false --interactive ${setEnv} ${image}`);
    for (const [setEnv, shown] of [["", "term=xterm-256color"], ["--set-env=TERM=vt100", "term=vt100"]]) {
      const session = run(setEnv!);
      try {
        const transcript = await session.finish();
        expect(transcript.commandStatus).toBe(0);
        expect(transcript.commandOutput).toBe(`${shown}\r\n`);
      } finally {
        session.close();
      }
    }
    const piped = rkt(data.path, ["--insecure-skip-verify", "run", "--mds-register=false", image], { env: { TERM: "xterm-256color" } });
    expect(piped.stdout).toBe("term=\n");
  });

  test("--interactive: ^] pressed three times within a second kills the pod, and rkt run exits 137", async () => {
    const image = busyboxImage(work.path, "example.com/forever", shellApp("echo ready; exec sleep 1000000"));
    const session = new TerminalSession(`${rktBinary} --dir=${data.path} --insecure-skip-verify run --mds-register=false --interactive ${image}`);
    try {
      await session.waitFor("ready\r\n");
      session.type("\x1d\x1d\x1d");
      const transcript = await session.finish();
      expect(transcript.commandStatus).toBe(137);
      expect(transcript.commandOutput).toBe("ready\r\n");
      expect(transcript.modeAfter).toBe(transcript.modeBefore);
    } finally {
      session.close();
    }
  });

  test("a relative --dir is taken from the working directory, and its pods run", () => {
    const relative = tempDataDir("rkt-run-relative-");
    try {
      const result = rkt(basename(relative.path), ["--insecure-skip-verify", "run", "--mds-register=false", images.ok!], { cwd: dirname(relative.path) });
      expect(result.stderr).toBe("");
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe("ok\n");
    } finally {
      collectPods(relative.path);
      relative.cleanup();
    }
  });

  test("--uuid-file-save writes the UUID without a newline, mode 0644", () => {
    const file = join(work.path, "saved-uuid");
    const result = rkt(data.path, ["--insecure-skip-verify", "run", `--uuid-file-save=${file}`, images.ok!]);
    expect(result.exitCode).toBe(0);
    const uuid = readFileSync(file, "utf8");
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(existsSync(join(data.path, "pods", "run", uuid))).toBe(true);
  });

  test("a custom stage1 is honoured through its manifest annotations", () => {
    const stage1 = busyboxImage(work.path, "example.com/fake-stage1", undefined, {
      manifest: { annotations: [{ name: "coreos.com/rkt/stage1/run", value: "/fake-init" }] },
      files: { "fake-init": { content: '#!/bin/busybox sh\necho "fake stage1 lock=$RKT_LOCK_FD args=$*"\nexit 42\n', mode: 0o755 } },
    });
    const result = run([`--stage1-image=${stage1}`, images.ok!]);
    expect(result.exitCode).toBe(42);
    expect(result.stdout).toMatch(new RegExp(`^fake stage1 lock=\\d+ args=--local-config=/etc/rkt ${result.uuid}\\n$`));
  });

  test("the default stage1 is the one built into rkt, found by its image ID: an image fetched under its name and version is not", () => {
    const own = tempDataDir("rkt-run-default-stage1-");
    try {
      const impostor = busyboxImage(work.path, "coreos.com/rkt/stage1", undefined, {
        manifest: {
          labels: [{ name: "version", value: "0.8.0" }, { name: "os", value: "linux" }, { name: "arch", value: "amd64" }],
          annotations: [{ name: "coreos.com/rkt/stage1/run", value: "/fake-init" }],
        },
        files: { "fake-init": { content: "#!/bin/busybox sh\necho impostor\nexit 42\n", mode: 0o755 } },
      });
      expect(rkt(own.path, ["--insecure-skip-verify", "fetch", impostor]).exitCode).toBe(0);
      const uuidFile = join(work.path, "uuid-default-stage1");
      const result = rkt(own.path, ["--insecure-skip-verify", "run", `--uuid-file-save=${uuidFile}`, images.ok!]);
      expect({ exitCode: result.exitCode, stdout: result.stdout }).toEqual({ exitCode: 0, stdout: "ok\n" });
      const stage1Id = readFileSync(join(own.path, "pods", "run", readFileSync(uuidFile, "utf8"), "stage1ID"), "utf8");
      expect(stage1Id).toBe(readFileSync(join(repoRoot, "dist", "build", "stage1.id"), "utf8"));
    } finally {
      collectPods(own.path);
      own.cleanup();
    }
  });

  test("a start from images named by ID and already rendered reads no store index; one by name does", () => {
    const own = tempDataDir("rkt-run-no-index-");
    try {
      const id = rkt(own.path, ["--insecure-skip-verify", "fetch", images.ok!]).stdout.trim();
      expect(rkt(own.path, ["run", id]).exitCode).toBe(0);
      writeFileSync(join(own.path, "cas", "db", "store.sqlite"), "not a database, so any use of the index fails".repeat(100));
      expect(rkt(own.path, ["run", id])).toMatchObject({ exitCode: 0, stdout: "ok\n" });
      expect(rkt(own.path, ["run", "--local", "example.com/ok"])).toMatchObject({ exitCode: 1, stderr: expect.stringContaining("not a database") });
    } finally {
      collectPods(own.path);
      own.cleanup();
    }
  });

  test("a stage1 without the run annotation is refused before a pod exists", () => {
    const stage1 = busyboxImage(work.path, "example.com/no-entrypoint-stage1", undefined);
    const before = podsIn(data.path);
    const result = run([`--stage1-image=${stage1}`, images.ok!]);
    expect(result.stderr).toBe('run: stage1 image "example.com/no-entrypoint-stage1" is not a stage1: entrypoint annotation "coreos.com/rkt/stage1/run" not found\n');
    expect(result.exitCode).toBe(1);
    expect(podsIn(data.path)).toEqual(before);
  });
});

describe("rkt run refuses bad input with one line and leaves no pod", () => {
  // Functions: the images exist only once beforeAll ran.
  const cases: [string, () => string[], number, () => string][] = [
    ["no image", () => [], 2, () => "run: must provide at least one image or specify the pod manifest\n"],
    ["a bad --volume", () => ["--volume=data,kind=host", images.ok!], 2, () => 'run: --volume "data,kind=host": source for host volume cannot be empty\n'],
    ["an empty --exec", () => [images.ok!, "--exec="], 2, () => 'run: --exec "": must name a program\n'],
    ["a --exec found nowhere in the app", () => [images.ok!, "--exec=frobnicate"], 1, () => `run: --exec "frobnicate": app "ok" has no executable of that name in /, /bin or /usr/bin\n`],
    ["an unknown flag", () => [images.ok!, "--frobnicate"], 2, () => "run: unknown flag: --frobnicate (see 'rkt run --help')\n"],
    ["an empty --uuid-file-save", () => ["--uuid-file-save=", images.ok!], 2, () => 'run: --uuid-file-save "": must name a file\n'],
    ["a bad --set-env", () => ["--set-env=X", images.ok!], 2, () => 'run: --set-env "X": environment variable must be specified as name=value\n'],
    ["--port without --private-net", () => ["--port=http:80", images.ok!], 2, () => "run: --port flag requires --private-net (or --net)\n"],
    ["--private-users with overlay", () => ["--private-users", images.ok!], 2, () => "run: cannot use both overlay and user namespace: not implemented yet. (Try --no-overlay)\n"],
    ["an unknown image ID", () => ["sha512-0000"], 1, () => `run: could not resolve key: no keys found for "sha512-0000" (see 'rkt image list')\n`],
    ["--interactive with a pod manifest of two apps", () => ["--interactive", `--pod-manifest=${twoAppPodManifest()}`], 1, () => "run: interactive option only supports one image\n"],
    ["a host volume whose source does not exist", () => ["--volume=data,kind=host,source=/nonexistent-volume-source", images.volume!], 1, () => 'run: volume "data": host path /nonexistent-volume-source does not exist (create it, or give --volume another source)\n'],
    ["an unknown stage1 image ID", () => ["--stage1-image=sha512-0000", images.ok!], 1, () => `run: stage1 image sha512-0000: could not resolve key: no keys found for "sha512-0000" (see 'rkt image list')\n`],
    ["an image that is not in the store", () => ["--local", "example.com/nowhere"], 1, () => ""],
    ["an image without an app", () => [images.nolib!], 1, () => `run: error: image ${images.nolib} has no app section\n`],
    ["a pod manifest that is not JSON", () => [`--pod-manifest=${podManifestFile("not-json", "{")}`], 1, () => `run: pod manifest ${join(work.path, "not-json.json")}: invalid JSON: Expected '}'\n`],
    ["a pod manifest without apps", () => [`--pod-manifest=${podManifestFile("no-apps", JSON.stringify({ acKind: "PodManifest", acVersion: "0.6.1", apps: [] }))}`], 1, () => `run: pod manifest ${join(work.path, "no-apps.json")}: the pod has no apps\n`],
  ];
  test.each(cases)("%s", (_what, args, exitCode, expectedStderr) => {
    const before = podsIn(data.path);
    const result = run(args());
    const stderr = expectedStderr();
    expect(result.exitCode).toBe(exitCode);
    if (stderr) expect(result.stderr).toBe(stderr);
    else expect(result.stderr.trim().split("\n").length).toBe(1);
    expect(result.uuid).toBeUndefined();
    expect(podsIn(data.path)).toEqual(before);
  });

  test("a failure after the pod exists exits 254 and leaves an aborted prepare for gc", () => {
    const before = podsIn(data.path);
    const result = rkt(data.path, ["--insecure-skip-verify", "run", "--uuid-file-save=/nonexistent-dir/uuid", images.ok!]);
    expect(result.exitCode).toBe(254);
    expect(result.stderr).toMatch(/^run: pod [0-9a-f-]{36}: .*nonexistent-dir.*\n$/);
    const after = podsIn(data.path);
    const aborted = (after.prepare ?? []).filter((uuid) => !(before.prepare ?? []).includes(uuid));
    expect(aborted.length).toBe(1);
    expect(rkt(data.path, ["status", aborted[0]!]).stdout).toContain("state=aborted prepare");
  });

  test("a mount point without a volume names the volume it needs", () => {
    const before = podsIn(data.path);
    const result = run([images.volume!]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('run: no volume for mountpoint "data" in app "volume".');
    expect(result.stderr).toContain("\t--volume data,kind=host,source=/some/path");
    expect(podsIn(data.path)).toEqual(before);
  });
});

test("rkt run --help prints the usage of run", () => {
  const result = Bun.spawnSync([rktBinary, "run", "--help"]);
  expect(result.exitCode).toBe(0);
  expect(result.stdout.toString()).toContain("--stage1-image");
});
