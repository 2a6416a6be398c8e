// apt with a state of its own: the caller's sources, lists and cache in a scratch
// directory removed afterwards, so the machine's apt state is never touched. Used to fetch
// the static libraries' source packages (native/deps.ts) and an older Debian's libc for
// the older-host test. apt checks every download against the archive's signed index.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runTool } from "./targets";

/** Sources in both of apt's formats: deb822 stanzas and one-line entries. */
export interface AptSources {
  stanzas: string[];
  lines: string[];
}

/**
 * The machine's Debian archives as entries of `type` (`deb` or `deb-src`); without the
 * security archive when `withSecurity` is false; with every suite's codename replaced by
 * `suite` when given (`bullseye`: bookworm and bookworm-updates become bullseye's).
 */
export function machineDebianSources(type: "deb" | "deb-src", options: { withSecurity: boolean; suite?: string }): AptSources {
  const files: string[] = [];
  if (existsSync("/etc/apt/sources.list")) files.push("/etc/apt/sources.list");
  if (existsSync("/etc/apt/sources.list.d")) {
    for (const name of readdirSync("/etc/apt/sources.list.d").sort()) {
      if (name.endsWith(".list") || name.endsWith(".sources")) files.push(join("/etc/apt/sources.list.d", name));
    }
  }
  const wanted = (entry: string) => /debian/.test(entry) && (options.withSecurity || !/-security/.test(entry));
  const retarget = (entry: string) => (options.suite ? entry.replace(/\b(bookworm|trixie|bullseye|buster)(?=[-\s]|$)/gm, options.suite) : entry);
  const sources: AptSources = { stanzas: [], lines: [] };
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".sources")) {
      sources.stanzas.push(...text.split(/\n\s*\n/)
        .filter((stanza) => /^Types:.*\bdeb\b/m.test(stanza) && wanted(stanza))
        .map((stanza) => retarget(stanza.replace(/^Types:.*$/m, `Types: ${type}`))));
    } else {
      sources.lines.push(...text.split("\n")
        .filter((line) => /^deb\s/.test(line) && wanted(line))
        .map((line) => retarget(line.replace(/^deb\s/, `${type} `))));
    }
  }
  return sources;
}

export function hasSources(sources: AptSources): boolean {
  return sources.stanzas.length > 0 || sources.lines.length > 0;
}

/** Runs apt-get or apt-cache with the private state's options; returns its stdout. */
export type PrivateApt = (tool: "apt-get" | "apt-cache", args: string[], cwd: string) => string;

/**
 * Runs `apt-get update` with `sources` in a private state under `scratch`, then hands
 * `use` a runner of apt-get and apt-cache in that state. `architectures` (Debian's names)
 * adds foreign architectures' package lists, for `apt-get download NAME:ARCH`.
 */
export function withPrivateApt<T>(scratch: string, sources: AptSources, use: (apt: PrivateApt) => T, architectures: string[] = []): T {
  rmSync(scratch, { recursive: true, force: true });
  for (const dir of ["lists/partial", "cache/archives/partial", "sources.list.d"]) mkdirSync(join(scratch, dir), { recursive: true });
  if (sources.stanzas.length) writeFileSync(join(scratch, "sources.list.d", "private.sources"), `${sources.stanzas.join("\n\n")}\n`);
  if (sources.lines.length) writeFileSync(join(scratch, "sources.list.d", "private.list"), `${sources.lines.join("\n")}\n`);
  const options = [
    "-o", "Dir::Etc::SourceList=/dev/null",
    "-o", `Dir::Etc::SourceParts=${join(scratch, "sources.list.d")}`,
    "-o", `Dir::State::Lists=${join(scratch, "lists")}`,
    "-o", `Dir::Cache=${join(scratch, "cache")}`,
    "-o", "APT::Sandbox::User=root",
    ...architectures.flatMap((arch) => ["-o", `APT::Architectures::=${arch}`]),
    "-qq",
  ];
  try {
    runTool(["apt-get", ...options, "update"], { cwd: scratch });
    return use((tool, args, cwd) => runTool([tool, ...options, ...args], { cwd }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
