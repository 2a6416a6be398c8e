// rkt_pod_scan (native/pod_scan.c), the one call behind `rkt list`: which entries are pods,
// which state directory wins, the lock test, and file bytes carried through its JSON intact.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { listLibrary } from "../../../src/sys";
import { repoRoot, tempDir } from "../../support/harness";
import { TestCleanups } from "../pod/lifecycle-fixtures";

let pods: { path: string; cleanup: () => void };
const cleanups = new TestCleanups();
beforeEach(() => (pods = tempDir("rkt-pod-scan-")));
afterEach(async () => {
  await cleanups.run();
  pods.cleanup();
});

const STATES = ["prepare", "prepared", "run", "exited-garbage"];
const scan = () => listLibrary.scanPods(pods.path, STATES);

function podDir(state: string, name: string, files: Record<string, string | Buffer> = {}): string {
  const dir = join(pods.path, state, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

test("takes UUID names only (either case, with or without dashes), sorted, and skips missing state directories", async () => {
  const dashed = "0a1b2c3d-0000-4000-8000-00000000000f";
  const bare = "FFFFFFFF00004000800000000000000A";
  podDir("prepared", dashed, { pod: "{}" });
  podDir("prepared", bare, { pod: "{}" });
  podDir("prepared", "not-a-pod");
  podDir("prepared", "0a1b2c3d-0000-4000-8000-00000000000g");
  writeFileSync(join(pods.path, "prepared", ".hidden"), "");
  expect((await scan()).map((p) => p.name)).toEqual([dashed, bare].sort());
});

test("a pod met in two state directories is taken in the later one", async () => {
  const uuid = "11111111-0000-4000-8000-000000000000";
  podDir("prepared", uuid);
  podDir("run", uuid, { pod: "{}" });
  expect(await scan()).toEqual([{ stateIndex: 2, name: uuid, locked: false, manifest: "{}" }]);
});

test("file bytes survive the JSON: quotes, backslashes, control characters, UTF-8; an unreadable manifest gives its errno", async () => {
  const text = '{"a":"q\\"b\\\\","c":"\t\n\u0001\u001f é 😀"}\r\n';
  podDir("run", "22222222-0000-4000-8000-000000000000", { pod: text });
  podDir("run", "33333333-0000-4000-8000-000000000000");
  const [withText, without] = await scan();
  expect(withText!.manifest).toBe(text);
  expect(without).toEqual({ stateIndex: 2, name: "33333333-0000-4000-8000-000000000000", locked: false, manifestErrno: 2 });
});

test("the list summary is read instead of the manifest, split into apps; the manifest only for a pod without one", async () => {
  podDir("run", "77777777-0000-4000-8000-000000000000", { pod: "{}", "list-summary": 'a\0b"\\\n\0c\0d\0\0f\0' });
  podDir("run", "88888888-0000-4000-8000-000000000000", { pod: "{}" });
  const held = podDir("run", "99999999-0000-4000-8000-000000000000", { pod: "{}", "list-summary": "" });
  podDir("run", "aaaaaaaa-0000-4000-8000-000000000000", { "list-summary": "a\0b\0" });
  podDir("run", "bbbbbbbb-0000-4000-8000-000000000000", { "list-summary": "a\0b\0c" });
  await cleanups.lockFromChild(held);
  expect(await scan()).toEqual([
    {
      stateIndex: 2,
      name: "77777777-0000-4000-8000-000000000000",
      locked: false,
      apps: [
        { name: "a", imageName: 'b"\\\n', imageId: "c" },
        { name: "d", imageName: "", imageId: "f" },
      ],
    },
    { stateIndex: 2, name: "88888888-0000-4000-8000-000000000000", locked: false, manifest: "{}" },
    { stateIndex: 2, name: "99999999-0000-4000-8000-000000000000", locked: true, summary: "" },
    // Not records of three fields: left whole for the decoder to report.
    { stateIndex: 2, name: "aaaaaaaa-0000-4000-8000-000000000000", locked: false, summary: "a\0b\0" },
    { stateIndex: 2, name: "bbbbbbbb-0000-4000-8000-000000000000", locked: false, summary: "a\0b\0c" },
  ]);
});

test("a pod some process holds is locked and its networks are read; an unlocked pod's are not", async () => {
  const networks = '[{"netName":"default","ip":"172.16.28.7"}]';
  const held = podDir("run", "44444444-0000-4000-8000-000000000000", { pod: "{}", "net-info.json": networks });
  podDir("run", "55555555-0000-4000-8000-000000000000", { pod: "{}", "net-info.json": networks });
  await cleanups.lockFromChild(held);
  const [locked, unlocked] = await scan();
  expect(locked).toMatchObject({ locked: true, networks });
  expect(unlocked!.locked).toBe(false);
  expect(unlocked!.networks).toBeUndefined();
});

test("a shared lock held elsewhere is not a lock that makes a pod running", async () => {
  const dir = podDir("run", "66666666-0000-4000-8000-000000000000", { pod: "{}" });
  await cleanups.lockFromChild(dir, "shared");
  expect((await scan())[0]!.locked).toBe(false);
});

/** scanPods run by a Bun process in a new PID namespace with its own /proc, whose /proc/locks hides locks of this namespace's processes. */
function scanFromChildPidNamespace(): { name: string; locked: boolean }[] {
  const script = `const { listLibrary } = await import(${JSON.stringify(join(repoRoot, "src/sys"))}); console.log(JSON.stringify(await listLibrary.scanPods(${JSON.stringify(pods.path)}, ${JSON.stringify(STATES)})));`;
  const child = Bun.spawnSync(["unshare", "--pid", "--fork", "--mount-proc", process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  if (child.exitCode !== 0) throw new Error(`scan in a child PID namespace failed: ${child.stderr.toString()}`);
  return JSON.parse(child.stdout.toString());
}

test("a pod held by a process outside the reader's PID namespace is still locked (its /proc/locks does not show that lock)", async () => {
  const held = podDir("run", "77777777-0000-4000-8000-000000000000", { pod: "{}" });
  podDir("run", "88888888-0000-4000-8000-000000000000", { pod: "{}" });
  await cleanups.lockFromChild(held);
  expect(scanFromChildPidNamespace().map((p) => [p.name.slice(0, 8), p.locked])).toEqual([
    ["77777777", true],
    ["88888888", false],
  ]);
});

test("a pod whose lock outlived the process that took it (the descriptor passed to a child) is locked", async () => {
  const held = podDir("run", "99999999-0000-4000-8000-000000000000", { pod: "{}" });
  // The shell takes the lock on fd 9, starts a sleeper that inherits it and exits.
  const shell = Bun.spawn(["sh", "-c", 'exec 9<"$1"; flock -x 9; sleep 1000 >/dev/null 2>&1 & echo $!', "sh", held], { stdout: "pipe", stderr: "inherit" });
  await shell.exited;
  const sleeper = Number((await new Response(shell.stdout).text()).trim());
  cleanups.add(() => void process.kill(sleeper, "SIGKILL"));
  expect((await scan())[0]!.locked).toBe(true);
});

test("a pod directory with a filesystem mounted on it is locked when that filesystem's root is", async () => {
  const held = podDir("run", "aaaaaaaa-0000-4000-8000-000000000000");
  const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "tmpfs", held]);
  if (mount.exitCode !== 0) throw new Error(`mount tmpfs on ${held}: ${mount.stderr.toString()}`);
  cleanups.add(() => void Bun.spawnSync(["umount", held]));
  writeFileSync(join(held, "pod"), "{}");
  await cleanups.lockFromChild(held);
  expect((await scan())[0]!.locked).toBe(true);
});

test("a held pod stays locked while other processes take and drop locks, however long /proc/locks is", async () => {
  const held = podDir("run", "bbbbbbbb-0000-4000-8000-000000000000", { pod: "{}" });
  const locks = join(pods.path, "locks");
  mkdirSync(locks);
  // On one CPU (one of the kernel's per-CPU lock lists): the pod's lock, then 400 newer ones,
  // so that /proc/locks is read a page at a time with the pod's line on a later page; then a
  // lock taken and dropped without pause moves the lines between pages, while the held locks
  // are dropped one by one, so that a page boundary passes the pod's line.
  const holder = Bun.spawn(
    [
      "taskset", "-c", "0", "perl", "-e",
      'open my $pod, "<", $ARGV[0] or die; flock $pod, 2 or die; my @held;' +
        'for my $i (1..400) { open my $f, ">", "$ARGV[1]/$i" or die; flock $f, 2 or die; push @held, $f }' +
        'open my $c, ">", "$ARGV[1]/churn" or die; $| = 1; print "ready\\n";' +
        'while (@held > 300) { for (1..3000) { flock $c, 2; flock $c, 8 } close pop @held }' +
        'open my $done, ">", "$ARGV[1]/done" or die; sleep 1000',
      held, locks,
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  cleanups.add(async () => {
    holder.kill("SIGKILL");
    await holder.exited;
  });
  const reader = holder.stdout.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toBe("ready\n");
  reader.releaseLock();
  let unlockedScans = 0;
  while (!existsSync(join(locks, "done"))) if (!(await scan())[0]!.locked) unlockedScans++;
  expect(unlockedScans).toBe(0);
});
