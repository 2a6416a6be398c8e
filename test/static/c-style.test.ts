// native/ and stage1/ share one C house style (.clang-format: tabs, Linux braces, 120
// columns, /* */ comments) and one warning list (native/targets.ts C_WARNINGS, with
// -Werror, applied by both builds).
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../support/harness";

const cDirectories = ["native", "stage1", "stage1/hello"];
const cFiles = cDirectories.flatMap((dir) =>
  readdirSync(join(repoRoot, dir)).filter((name) => /\.[ch]$/.test(name)).map((name) => join(repoRoot, dir, name)),
);

test("every C file is formatted as .clang-format says", () => {
  const check = Bun.spawnSync(["clang-format", "--dry-run", "--Werror", ...cFiles], { cwd: repoRoot, stdout: "pipe", stderr: "pipe" });
  expect(check.stderr.toString().split("\n").filter((line) => line.includes("error:")).slice(0, 10)).toEqual([]);
  expect(check.exitCode).toBe(0);
});

test("C comments are /* */ comments, never //", () => {
  const lineComment = /^\s*\/\/|;\s*\/\/|\{\s*\/\/|\)\s*\/\//;
  const offending = cFiles.flatMap((file) =>
    readFileSync(file, "utf8").split("\n").flatMap((line, i) => (lineComment.test(line) ? [`${file.slice(repoRoot.length + 1)}:${i + 1}`] : [])),
  );
  expect(offending).toEqual([]);
});
