// The max-age of a download from its Cache-Control header (rkt-cli.md §2.1). **(ours)**
// the header is a comma-separated directive list (rkt split it on spaces only).

/** Seconds the response stays fresh: `max-age`, 0 with `no-cache`/`no-store` or without a header. */
export function cacheMaxAge(header: string | null): number {
  if (header === null) return 0;
  let maxAge = 0;
  for (const directive of header.split(",")) {
    const [rawName, rawValue] = directive.split("=", 2);
    const name = rawName!.trim().toLowerCase();
    if (name === "no-cache" || name === "no-store") return 0;
    if (name === "max-age" && rawValue !== undefined) {
      const seconds = Number(rawValue.trim().replace(/^"(.*)"$/, "$1"));
      if (Number.isInteger(seconds) && seconds > 0) maxAge = seconds;
    }
  }
  return maxAge;
}
