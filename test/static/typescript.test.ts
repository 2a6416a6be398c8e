// tsconfig.json says strict: the whole tree (src, tests, benches, build scripts) must
// type-check, so a changed signature cannot leave a caller behind unnoticed.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { repoRoot } from "../support/harness";

test("tsc --noEmit finds no type error", () => {
  const tsc = Bun.spawnSync([join(repoRoot, "node_modules/.bin/tsc"), "--noEmit", "-p", repoRoot], { stdout: "pipe", stderr: "pipe" });
  expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe("");
  expect(tsc.exitCode).toBe(0);
});
