import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ownCgroupProcsFile } from "../../../src/sys/cgroup-warmup";
import { keepCgroupMigrationWarm } from "../../../src/sys/native";
import { waitFor } from "../../e2e/run-fixtures";
import { tempDir } from "../../support/harness";

test("on cgroup v1 and hybrid hosts, our cgroup.procs in the memory hierarchy", () => {
  const hybrid = "12:memory:/process_api/d1\n9:name=systemd:/\n2:cpu,cpuacct:/x\n0::/\n";
  expect(ownCgroupProcsFile(hybrid)).toBe("/sys/fs/cgroup/memory/process_api/d1/cgroup.procs");
  expect(ownCgroupProcsFile("4:memory:/\n")).toBe("/sys/fs/cgroup/memory/cgroup.procs");
});

test("on a pure cgroup v2 host, our cgroup.procs in the unified hierarchy", () => {
  expect(ownCgroupProcsFile("0::/user.slice/session-1.scope\n")).toBe("/sys/fs/cgroup/user.slice/session-1.scope/cgroup.procs");
});

test("nothing to write to when the memory controller is absent from a v1 host", () => {
  expect(ownCgroupProcsFile("2:cpu,cpuacct:/x\n1:name=systemd:/\n")).toBeUndefined();
  expect(ownCgroupProcsFile("")).toBeUndefined();
});

test("this process's own cgroup.procs exists on this host", async () => {
  const procs = ownCgroupProcsFile(await Bun.file("/proc/self/cgroup").text());
  expect(procs).toBeDefined();
  expect(await Bun.file(procs!).exists()).toBe(true);
});

describe("the warm-up thread", () => {
  const dir = tempDir("rkt-cgroup-warm-");
  afterAll(() => dir.cleanup());

  test("writes \"0\" to the file again and again, in the background", async () => {
    // A plain file stands in for cgroup.procs: each no-op migration leaves a "0" in it.
    const file = join(dir.path, "procs");
    writeFileSync(file, "");
    keepCgroupMigrationWarm(file);
    const first = await waitFor("the first write", () => readFileSync(file, "utf8") || undefined);
    const later = await waitFor("more writes", () => {
      const text = readFileSync(file, "utf8");
      return text.length >= first.length + 3 ? text : undefined;
    });
    expect(later).toMatch(/^0+$/);
  });

  test("a path it cannot open is an error naming it", () => {
    expect(() => keepCgroupMigrationWarm(join(dir.path, "missing", "cgroup.procs"))).toThrow(/missing\/cgroup\.procs/);
  });
});
