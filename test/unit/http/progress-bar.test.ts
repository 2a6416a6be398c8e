// The download progress line: size, rate and time left, redrawn by time (at most every
// REDRAW_INTERVAL_MS) however many chunks arrive, with a clock the test moves by hand.
import { describe, expect, test } from "bun:test";
import { ProgressBar, progressLine, REDRAW_INTERVAL_MS } from "../../../src/http/progress-bar";

describe("progressLine", () => {
  test("draws a bar with megabytes done of the total, the rate and the time left", () => {
    expect(progressLine("ACI", 1_625_000, 3_250_000, 1000)).toBe(`Downloading ACI: [${"=".repeat(20)}${" ".repeat(20)}] 1.63 MB/3.25 MB  1.63 MB/s  ETA 1s`);
  });

  test("says minutes and hours of a long wait", () => {
    expect(progressLine("ACI", 1_000_000, 126_000_000, 1000)).toEndWith("  1 MB/s  ETA 2m05s");
    expect(progressLine("ACI", 1_000_000, 3_721_000_000, 1000)).toEndWith("  1 MB/s  ETA 1h02m");
  });

  test("has no rate before any time passed, and no time left once complete", () => {
    expect(progressLine("ACI", 0, 3_250_000, 0)).toBe(`Downloading ACI: [${" ".repeat(40)}] 0 MB/3.25 MB`);
    expect(progressLine("ACI", 3_250_000, 3_250_000, 2000)).toBe(`Downloading ACI: [${"=".repeat(40)}] 3.25 MB/3.25 MB  1.63 MB/s`);
  });

  test("without a Content-Length shows the size and the rate only", () => {
    expect(progressLine("signature", 1_200_000, NaN, 2000)).toBe("Downloading signature: 1.2 MB  0.6 MB/s");
  });
});

describe("ProgressBar", () => {
  function barWithClock(total: number) {
    let now = 0;
    const drawn: string[] = [];
    const bar = new ProgressBar("layer sha256:ab", total, (text) => drawn.push(text), () => now);
    return { bar, drawn, tick: (ms: number) => (now += ms) };
  }

  test("redraws at most once per interval however many chunks arrive, then once at the end", () => {
    const { bar, drawn, tick } = barWithClock(10_000_000);
    for (let i = 0; i < 1000; i++) {
      bar.advance(10_000);
      tick(1); // 1000 chunks in one second
    }
    bar.finish();
    expect(drawn.length).toBeLessThanOrEqual(1000 / REDRAW_INTERVAL_MS + 2);
    expect(drawn.length).toBeGreaterThanOrEqual(1000 / REDRAW_INTERVAL_MS);
    expect(drawn.at(-1)).toBe(`\rDownloading layer sha256:ab: [${"=".repeat(40)}] 10 MB/10 MB  10 MB/s\x1b[K\n`);
  });

  test("each redraw returns to the start of the line and clears what a longer line left", () => {
    const { bar, drawn, tick } = barWithClock(NaN);
    bar.advance(1_000_000);
    tick(REDRAW_INTERVAL_MS);
    bar.advance(1_000_000);
    expect(drawn).toEqual(["\rDownloading layer sha256:ab: 1 MB\x1b[K", "\rDownloading layer sha256:ab: 2 MB  20 MB/s\x1b[K"]);
  });
});
