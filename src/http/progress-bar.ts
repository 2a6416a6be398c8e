// rkt's download progress line on stderr (rkt-cli.md §1.3, §2.1), one for images,
// signatures and docker layers: the bar, the size done of the total, the rate and the time
// left. It is redrawn by time, not by bytes: at most ten times a second, however small the
// chunks, and once more with the final count when the download ends.

const BAR_WIDTH = 40;
/** The shortest time between two redraws. */
export const REDRAW_INTERVAL_MS = 100;
/** Moves to the start of the line and, after the text, clears what a longer line left. */
const CARRIAGE_RETURN = "\r";
const CLEAR_TO_END_OF_LINE = "\x1b[K";

export class ProgressBar {
  private done = 0;
  private readonly startedAt: number;
  private lastDrawnAt = -Infinity;

  /** `total` is NaN when the size is unknown; `now` is in milliseconds. */
  constructor(
    private readonly what: string,
    private readonly total: number,
    private readonly write: (text: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  /** Counts `bytes` more, and redraws unless the last redraw is more recent than REDRAW_INTERVAL_MS. */
  advance(bytes: number): void {
    this.done += bytes;
    const at = this.now();
    if (at - this.lastDrawnAt < REDRAW_INTERVAL_MS) return;
    this.lastDrawnAt = at;
    this.draw(at, "");
  }

  /** Draws the final count and ends the line. */
  finish(): void {
    this.draw(this.now(), "\n");
  }

  private draw(at: number, end: string): void {
    this.write(`${CARRIAGE_RETURN}${progressLine(this.what, this.done, this.total, at - this.startedAt)}${CLEAR_TO_END_OF_LINE}${end}`);
  }
}

/**
 * `Downloading ACI: [====      ] 3.25 MB/32.5 MB  1.6 MB/s  ETA 18s`; without a known total,
 * `Downloading ACI: 1.2 MB  0.6 MB/s`. The rate is the average since the start.
 */
export function progressLine(what: string, done: number, total: number, elapsedMs: number): string {
  const bytesPerSecond = elapsedMs > 0 ? (done * 1000) / elapsedMs : NaN;
  const rate = bytesPerSecond > 0 ? `  ${megabytes(bytesPerSecond)}/s` : "";
  if (!Number.isFinite(total) || total <= 0) return `Downloading ${what}: ${megabytes(done)}${rate}`;
  const filled = Math.min(BAR_WIDTH, Math.round((done / total) * BAR_WIDTH));
  const eta = bytesPerSecond > 0 && done < total ? `  ETA ${duration((total - done) / bytesPerSecond)}` : "";
  return `Downloading ${what}: [${"=".repeat(filled)}${" ".repeat(BAR_WIDTH - filled)}] ${megabytes(done)}/${megabytes(total)}${rate}${eta}`;
}

function megabytes(bytes: number): string {
  return `${Number((bytes / 1e6).toFixed(2))} MB`;
}

/** `7s`, `2m05s`, `1h02m`. */
function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
