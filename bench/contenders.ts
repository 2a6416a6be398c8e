// Commands timed against each other: interleaved rounds (every contender once per round,
// each after `sync` and into a fresh target), then per group the first contender's median
// against each peer's, with the ratio of medians and the median of each round's ratio.
import { join } from "node:path";
import { measure, median } from "./debian-image";

export interface Contender {
  group: string;
  name: string;
  /** Why it cannot run here, if it cannot. */
  unavailable?: string;
  /** Makes a fresh target (untimed) and returns the command to time. */
  prepare: () => string[];
  times: number[];
  rssKib: number[];
}

export function contender(group: string, name: string, prepare: () => string[], unavailable?: string): Contender {
  return { group, name, prepare, unavailable, times: [], rssKib: [] };
}

/** Runs `rounds` rounds; `workDir` holds the RSS file of /usr/bin/time. */
export function runInterleaved(contenders: Contender[], rounds: number, workDir: string): void {
  const rssFile = join(workDir, "rss");
  for (let i = 0; i < rounds; i++) {
    for (const c of contenders.filter((c) => !c.unavailable)) {
      const { ms, rssKib } = measure(c.prepare(), rssFile);
      c.times.push(ms);
      c.rssKib.push(rssKib);
    }
  }
}

/** Prints the group's first contender against the others; `note` follows its line. */
export function report(contenders: Contender[], group: string, note = ""): void {
  const [ours, ...peers] = contenders.filter((c) => c.group === group);
  const spread = (c: Contender) => `spread ${Math.min(...c.times).toFixed(0)}-${Math.max(...c.times).toFixed(0)} ms`;
  const rss = (c: Contender) => `peak RSS ${(median(c.rssKib) / 1024).toFixed(0)} MiB`;
  console.log(`${ours!.name.padEnd(25)} ${median(ours!.times).toFixed(0).padStart(6)} ms  ${spread(ours!).padEnd(22)} ${rss(ours!)} ${note}`.trimEnd());
  for (const peer of peers) {
    if (peer.unavailable) {
      console.log(`  vs ${peer.name.padEnd(20)} not run: ${peer.unavailable}`);
      continue;
    }
    const ratio = median(ours!.times) / median(peer.times);
    // Runs of one round are next to each other in time: their ratio cancels slow drifts of the machine's load.
    const paired = median(ours!.times.map((t, i) => t / peer.times[i]!));
    console.log(
      `  vs ${peer.name.padEnd(20)} ${median(peer.times).toFixed(0).padStart(6)} ms  ${spread(peer).padEnd(22)} ${rss(peer).padEnd(18)} ratio ${ratio.toFixed(2)} (paired by round ${paired.toFixed(2)})`,
    );
  }
}
