import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileBounded } from "../../../src/sys";

const dir = mkdtempSync(join(tmpdir(), "rkt-bounded-read-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readFileBounded", () => {
  test("reads a file up to its limit whole", () => {
    const path = join(dir, "ten");
    writeFileSync(path, "0123456789");
    expect(readFileBounded(path, 10).toString()).toBe("0123456789");
  });

  test("a file one byte past the limit is an error naming it", () => {
    const path = join(dir, "eleven");
    writeFileSync(path, "0123456789a");
    expect(() => readFileBounded(path, 10)).toThrow(`read ${path}: larger than the 10 bytes allowed`);
  });

  test("a device that never ends stops at the limit", () => {
    expect(() => readFileBounded("/dev/zero", 1024 * 1024)).toThrow("read /dev/zero: larger than the 1 MiB allowed");
  });
});
