import { expect, test } from "bun:test";
import { ownCgroupProcsFile } from "../../../src/sys/cgroup-warmup";

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
