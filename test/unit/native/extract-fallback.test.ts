// Kernels before 5.6 have no openat2: the component-by-component O_NOFOLLOW walk that
// replaces it must refuse the same escapes. Runs the escape suite with openat2 disabled.
import { expect, test } from "bun:test";
import { join } from "node:path";

test("the escape suite passes with the openat2 fallback walk", () => {
  const suite = join(import.meta.dir, "extract-safety.test.ts");
  const proc = Bun.spawnSync([process.execPath, "test", suite], {
    env: { ...process.env, RKT_NATIVE_NO_OPENAT2: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const output = proc.stderr.toString();
  expect(output).toMatch(/ 0 fail/);
  expect(proc.exitCode).toBe(0);
});
