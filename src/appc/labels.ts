// Labels: unique AC Identifier names, `name` forbidden, `os`/`arch` from the reference's
// whitelist (appc.md §1), and the host's os/arch in appc's spelling.
import { machine } from "node:os";
import { acIdentifierProblem } from "./identifiers";
import { joinPath, type Problems } from "./manifest-error";
import { checkNameValueList } from "./name-value-list";
import type { Label } from "./types";

/** Allowed arch values per os, as in the reference code's ValidOSArch. */
const validOsArch: Readonly<Record<string, readonly string[]>> = {
  linux: ["amd64", "i386", "aarch64", "aarch64_be", "armv6l", "armv7l", "armv7b"],
  freebsd: ["amd64", "i386", "arm"],
  darwin: ["x86_64", "i386"],
};

export function labelValue(labels: readonly Label[] | null | undefined, name: string): string | undefined {
  return labels?.find((l) => l.name === name)?.value;
}

/** Why this os/arch pair is not in the whitelist, or undefined. `arch` alone is not checked. */
export function osArchProblem(os: string | undefined, arch: string | undefined): string | undefined {
  if (os === undefined) return undefined;
  const arches = validOsArch[os];
  if (!arches) return `bad os "${os}" (must be one of: [${Object.keys(validOsArch).sort().join(" ")}])`;
  if (arch !== undefined && !arches.includes(arch)) return `bad arch "${arch}" for ${os} (must be one of: [${arches.join(" ")}])`;
  return undefined;
}

const nodeArchToAppc: Record<string, string> = { x64: "amd64", ia32: "i386", arm64: "aarch64", arm: "armv7l" };

/** The host as appc labels: Node's arch names mapped to appc's (x64 -> amd64, arm64 -> aarch64, ...). */
export function hostOsArch(): { os: string; arch: string } {
  const os = process.platform;
  // 32-bit ARM: uname's machine (armv6l, armv7l) is already the appc name.
  const uname = machine();
  let arch = process.arch === "arm" && /^armv[67]/.test(uname) ? uname : (nodeArchToAppc[process.arch] ?? uname);
  if (os === "darwin" && arch === "amd64") arch = "x86_64";
  return { os, arch };
}

/** Validates a label list at `path`; returns the well-formed labels. */
export function checkLabels(value: unknown[], path: string, problems: Problems): Label[] {
  const entries = checkNameValueList(value, path, problems, "label", (name) =>
    name === "name" ? `"name" is not a valid label name` : acIdentifierProblem(name),
  );
  const labels: Label[] = entries.map((e) => ({ name: e.name, value: e.value ?? "" }));
  const indexOf = new Map(entries.map((e) => [e.name, e.index]));
  const problem = osArchProblem(labelValue(labels, "os"), labelValue(labels, "arch"));
  if (problem) {
    const culprit = problem.startsWith("bad os") ? "os" : "arch";
    problems.add(joinPath(joinPath(path, indexOf.get(culprit)!), "value"), problem);
  }
  return labels;
}

/**
 * True when every wanted label is present in `have` with the same value; labels not
 * wanted match anything (store lookups by name, dependency matching, appc.md §2.4).
 */
export function labelsMatch(wanted: readonly Label[] | null | undefined, have: readonly Label[] | null | undefined): boolean {
  return (wanted ?? []).every((w) => labelValue(have, w.name) === w.value);
}
