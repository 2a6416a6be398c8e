// The machines dist/ is built for. Each has its C toolchain (the system's for the build
// machine's own architecture, Debian's cross compiler otherwise), the appc `arch` label of
// the images built for it, and the Bun runtime its executable is compiled with.
export interface BuildTarget {
  /** `linux-x64` or `linux-arm64`: the directory under dist/ and .cache/. */
  name: string;
  /** Node's name of the architecture (`process.arch`). */
  nodeArch: string;
  /** appc's name of the architecture, for the `arch` label (appc.md: amd64, aarch64). */
  appcArch: string;
  /** Debian's name of the architecture. */
  debianArch: string;
  /** GNU triple: the cross compiler's prefix and configure's --host. */
  triple: string;
  /** `bun build --compile --target=` value. */
  bunTarget: string;
  /** The npm package of that Bun runtime (package-lock.json pins its version and hash). */
  bunPackage: string;
}

export const targets: Record<string, BuildTarget> = {
  "linux-x64": {
    name: "linux-x64", nodeArch: "x64", appcArch: "amd64", debianArch: "amd64", triple: "x86_64-linux-gnu",
    bunTarget: "bun-linux-x64", bunPackage: "@oven/bun-linux-x64",
  },
  "linux-arm64": {
    name: "linux-arm64", nodeArch: "arm64", appcArch: "aarch64", debianArch: "arm64", triple: "aarch64-linux-gnu",
    bunTarget: "bun-linux-aarch64", bunPackage: "@oven/bun-linux-aarch64",
  },
};

/** The target of the machine running the build. */
export function hostTarget(): BuildTarget {
  const target = Object.values(targets).find((t) => t.nodeArch === process.arch);
  if (!target) throw new Error(`build: no target for this machine's architecture (${process.arch}); known: ${Object.keys(targets).join(", ")}`);
  return target;
}

export function isCross(target: BuildTarget): boolean {
  return target.nodeArch !== process.arch;
}

/** A tool of the target's C toolchain: `cc`, `gcc`, `ar`, prefixed by the triple when crossing. */
export function toolchain(target: BuildTarget, tool: "gcc" | "ar"): string {
  const name = isCross(target) ? `${target.triple}-${tool}` : tool;
  const path = Bun.which(name);
  if (!path) {
    const hint = isCross(target) ? `install gcc-${target.triple} (test/setup-host.sh)` : "run test/setup-host.sh";
    throw new Error(`build: ${name} not found for ${target.name}: ${hint}`);
  }
  return path;
}

/** The warnings native/ and stage1/ are both built with; any of them fails the build. */
export const C_WARNINGS = ["-Wall", "-Wextra", "-Wshadow", "-Wformat=2", "-Wstrict-prototypes", "-Wmissing-prototypes", "-Werror"];

/**
 * Runs a build tool; returns its stdout. A failure throws with the command and the last
 * lines the tool printed, so a failed step of the build says why in one place.
 */
export function runTool(argv: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  const result = Bun.spawnSync(argv, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) {
    const output = `${result.stderr.toString()}${result.stdout.toString()}`.trim().split("\n").slice(-15).join("\n");
    throw new Error(`build: ${argv.join(" ")} failed (exit ${result.exitCode})\n${output}`);
  }
  return result.stdout.toString();
}
