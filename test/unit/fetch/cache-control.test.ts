import { describe, expect, test } from "bun:test";
import { cacheMaxAge } from "../../../src/fetch/cache-control";

describe("cacheMaxAge", () => {
  test("reads max-age from a comma-separated directive list, whatever the spacing and case", () => {
    expect(cacheMaxAge("max-age=3600, public")).toBe(3600);
    expect(cacheMaxAge("public,MAX-AGE=60")).toBe(60);
    expect(cacheMaxAge('private, max-age="120"')).toBe(120);
  });

  test("no-cache and no-store make the download stale at once, wherever they appear", () => {
    expect(cacheMaxAge("max-age=3600, no-cache")).toBe(0);
    expect(cacheMaxAge("no-store")).toBe(0);
  });

  test("no header, no max-age or a malformed one means 0", () => {
    expect(cacheMaxAge(null)).toBe(0);
    expect(cacheMaxAge("public")).toBe(0);
    expect(cacheMaxAge("max-age=soon")).toBe(0);
    expect(cacheMaxAge("max-age=-5")).toBe(0);
  });
});
