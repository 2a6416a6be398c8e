// Shell completion (`rkt completion bash|zsh|fish`, dist/completion/) and the man pages
// (dist/man/), as a user meets them: the scripts loaded into the real shells and asked what
// a TAB would offer, the pages rendered by the real man.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, rktBinary } from "../support/harness";

const dist = join(repoRoot, "dist");

function run(argv: string[], env: Record<string, string> = {}): { exitCode: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync(argv, { stdin: "ignore", env: { ...process.env, ...env } });
  return { exitCode: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

const haveShell = (shell: string) => run(["sh", "-c", `command -v ${shell}`]).exitCode === 0;

/**
 * What bash's TAB offers after `line` (the cursor at its end): `_rkt` called as bash's
 * completion would, with COMP_* set; `compopt` recorded rather than applied (only allowed
 * while bash itself completes).
 */
function bashCompletes(line: string): { words: string[]; nospace: boolean } {
  const script = [
    `source <(${rktBinary} completion bash)`,
    'nospace=""; compopt() { [ "$2" = nospace ] && nospace=1; }',
    'COMP_LINE="$1"; COMP_POINT=${#1}',
    'read -r -a COMP_WORDS <<<"$1"; case "$1" in *" ") COMP_WORDS+=("") ;; esac',
    "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))",
    "_rkt",
    'printf "%s\\n" "${COMPREPLY[@]}"; echo "nospace=$nospace"',
  ].join("\n");
  const out = run(["bash", "-c", script, "bash", line]);
  expect(out.stderr).toBe("");
  const lines = out.stdout.trim().split("\n");
  return { words: lines.slice(0, -1).filter(Boolean), nospace: lines.at(-1) === "nospace=1" };
}

describe("rkt completion", () => {
  test("bash registers rkt's completion function", () => {
    const out = run(["bash", "-c", `source <(${rktBinary} completion bash); complete -p rkt`]);
    expect(out.exitCode).toBe(0);
    expect(out.stdout.trim()).toBe("complete -F _rkt rkt");
  });

  test("bash completes commands, subcommands and flags by prefix", () => {
    expect(bashCompletes("rkt ima").words).toEqual(["image"]);
    expect(bashCompletes("rkt image l").words).toEqual(["list"]);
    expect(bashCompletes("rkt run-p").words).toEqual(["run-prepared"]);
    expect(bashCompletes("rkt --deb").words).toEqual(["--debug"]);
    expect(bashCompletes("rkt image list --f").words.sort()).toEqual(["--fields=", "--format=", "--full"]);
    // Global flags anywhere, and a value after a flag that takes one is not a command.
    expect(bashCompletes("rkt --dir /tmp image l").words).toEqual(["list"]);
    expect(bashCompletes("rkt status --deb").words).toEqual(["--debug"]);
  });

  test("bash offers `--flag=` without a trailing space for a flag that takes a value", () => {
    expect(bashCompletes("rkt run --vol")).toEqual({ words: ["--volume="], nospace: true });
    expect(bashCompletes("rkt stop --for")).toEqual({ words: ["--force"], nospace: false });
  });

  test("bash falls back to file names where a value or an image is expected", () => {
    // The word completed is a path prefix under dist/: only file names can match it.
    const prefix = join(dist, "hello.a");
    expect(bashCompletes(`rkt run ${prefix}`).words).toEqual([join(dist, "hello.aci")]);
    expect(bashCompletes(`rkt --dir ${prefix}`).words).toEqual([join(dist, "hello.aci")]);
  });

  test.skipIf(!haveShell("zsh"))("zsh loads the script under compinit and shares bash's candidates", () => {
    const script = [
      "autoload -U compinit && compinit -u -D",
      `source <(${rktBinary} completion zsh)`,
      "print -r -- $_comps[rkt]",
      'print -r -- ${(j: :)${(f)"$(__rkt_candidates ima)"}}',
      'print -r -- ${(j: :)${(f)"$(__rkt_candidates --vol run)"}}',
      'print -r -- ${(j: :)${(f)"$(__rkt_candidates "" --dir /x image)"}}',
    ].join("\n");
    const out = run(["zsh", "-f", "-c", script], { HOME: "/nonexistent" });
    expect(out.stderr).toBe("");
    const [registered, top, runFlags, imageCommands] = out.stdout.trim().split("\n");
    expect(registered).toBe("_rkt");
    expect(top!.split(" ")).toContain("image");
    expect(runFlags!.split(" ")).toContain("--volume=");
    expect(imageCommands!.split(" ")).toContain("list");
  });

  test.skipIf(!haveShell("fish"))("fish completes commands, subcommands and flags with descriptions", () => {
    const script = [
      `${rktBinary} completion fish | source`,
      "complete -C'rkt ima'",
      "complete -C'rkt --dir /tmp image li'",
      "complete -C'rkt run --vol'",
    ].join("; ");
    const out = run(["fish", "--no-config", "-c", script]);
    expect(out.stderr).toBe("");
    const lines = out.stdout.trim().split("\n");
    expect(lines).toContain("image\tOperate on an image in the local store");
    expect(lines).toContain("list\tList images in the local store");
    expect(lines.some((l) => l.startsWith("--volume\t"))).toBe(true);
  });

  test("an unknown or missing shell is a one-line usage error", () => {
    const unknown = run([rktBinary, "completion", "bsh"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr.trim()).toBe(`completion: unknown shell "bsh" (known: bash, zsh, fish); did you mean "bash"?`);
    const missing = run([rktBinary, "completion"]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("the build's scripts are the ones the command prints", () => {
    const files = { bash: "rkt.bash", zsh: "_rkt", fish: "rkt.fish" };
    for (const [shell, file] of Object.entries(files)) {
      expect(readFileSync(join(dist, "completion", file), "utf8")).toBe(run([rktBinary, "completion", shell]).stdout);
    }
  });
});

describe("man pages", () => {
  const man = join(dist, "man");
  const render = (page: string) => run(["man", "-l", join(man, page)], { MANPAGER: "cat", MANWIDTH: "100", LANG: "C.UTF-8" });

  test("rkt.1 renders with man and lists the commands", () => {
    const out = render("rkt.1");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/^RKT\(1\)/);
    expect(out.stdout).toContain("rkt - rkt, the application container runner");
    expect(out.stdout).toMatch(/\n {7}run-prepared\n {14}Run a prepared application pod in rkt/);
    expect(out.stdout).toContain("rkt-run(1)");
    // The footer names the version `rkt version` reports.
    const version = run([rktBinary, "version"]).stdout.match(/^rkt version (\S+)$/m)![1]!;
    expect(out.stdout).toMatch(new RegExp(`\\brkt ${version.replaceAll(".", "\\.")}\\b`));
  });

  test("every visible command has a page with its flags, and hidden ones none", () => {
    const pages = readdirSync(man);
    for (const page of ["rkt-run.1", "rkt-image-list.1", "rkt-image.1", "rkt-completion.1", "rkt-trust.1"]) expect(pages).toContain(page);
    expect(pages.some((p) => p.startsWith("rkt-actool") || p === "rkt-images.1" || p === "rkt-help.1")).toBe(false);
    const run = render("rkt-run.1").stdout;
    expect(run).toContain("rkt run [--volume=name,kind=host,...] IMAGE");
    expect(run).toContain("--volume=VALUE");
    expect(run).toContain("--dir=VALUE"); // global options
    expect(run).toContain("--uuid-file-save=VALUE");
  });

  test("no page makes groff warn", () => {
    const pages = readdirSync(man).map((p) => join(man, p));
    expect(existsSync(join(man, "rkt.1"))).toBe(true);
    const out = run(["groff", "-man", "-ww", "-z", ...pages]);
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toBe("");
  });
});
