// A pod started in a later boot than the one that rendered its trees without a sync
// (src/store/written-this-boot.ts): every tree the pod uses (stage1's and the app's) is
// proven first, and one that lost data is rebuilt before the pod sees it. A reboot cannot
// be made here, so the earlier boot's mark is written by hand into the trees' markers.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rkt, tempDataDir, tempDir } from "../support/harness";
import { busyboxImage, collectPods, shellApp } from "./run-fixtures";

const work = tempDir("rkt-reboot-images-");
const data = tempDataDir("rkt-reboot-");
afterAll(() => {
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

const thisBoot = `unsynced ${readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()}\n`;
const earlierBoot = "unsynced 00000000-0000-4000-8000-000000000000\n";
const treesDir = () => join(data.path, "cas", "tree");
const marker = (tree: string) => join(treesDir(), tree, "rendered");

let image: string;
let imageKey: string;
beforeAll(() => {
  image = busyboxImage(work.path, "example.com/greeter", shellApp("cat /etc/greeting"), { files: { "etc/greeting": "hello from the image" } });
  imageKey = rkt(data.path, ["--insecure-skip-verify", "fetch", image]).stdout.trim();
});

const runPod = () => rkt(data.path, ["--insecure-skip-verify", "run", "--mds-register=false", imageKey]);

describe("a pod run after a reboot", () => {
  test("proves the trees written in the earlier boot, and rebuilds the one that lost data before the app reads it", () => {
    const first = runPod();
    expect(first.stdout).toContain("hello from the image");
    const trees = readdirSync(treesDir());
    const appTree = trees.find((tree) => tree.startsWith(imageKey.slice(0, 20)))!;
    const stage1Tree = trees.find((tree) => tree !== appTree)!;
    expect(trees.sort()).toEqual([appTree, stage1Tree].sort());
    for (const tree of trees) expect(readFileSync(marker(tree), "utf8")).toBe(thisBoot);

    // The machine went down before the app's file reached the disk; both trees are of that boot.
    writeFileSync(join(treesDir(), appTree, "rootfs", "etc", "greeting"), "");
    for (const tree of trees) writeFileSync(marker(tree), earlierBoot);

    const after = runPod();
    expect(after.exitCode).toBe(0);
    expect(after.stdout).toContain("hello from the image");
    expect(after.stderr).toContain("tree cache is in a bad state. Rebuilding...");
    expect(readFileSync(marker(stage1Tree), "utf8")).toBe(""); // proven as it was
    expect(readFileSync(marker(appTree), "utf8")).toBe(thisBoot); // rebuilt in this boot
  });
});
