import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { rkt, rktBinary, tempDir } from "../support/harness";

const data = tempDir();
afterAll(data.cleanup);

describe("the command line", () => {
  test("version prints rkt's two lines", () => {
    const r = rkt(data.path, ["version"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("rkt version 1.27.0\nappc version 0.6.1\n");
  });

  test("commands can be abbreviated to an unambiguous prefix", () => {
    expect(rkt(data.path, ["ver"]).stdout).toStartWith("rkt version 1.27.0");
  });

  test("rkt alone and rkt help print the usage and exit 0", () => {
    for (const args of [[], ["help"], ["--help"]]) {
      const r = rkt(data.path, args);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain("COMMANDS:");
      expect(r.stdout).toContain("GLOBAL OPTIONS:");
    }
  });

  test("help for one command shows its usage", () => {
    const r = rkt(data.path, ["help", "version"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("rkt version - Print the version and exit");
  });

  test("help of run, prepare, enter and gc explains them in a DESCRIPTION section, between USAGE and OPTIONS", () => {
    for (const command of ["run", "prepare", "enter", "gc"]) {
      const help = rkt(data.path, ["help", command]).stdout;
      const [usage, description, options] = ["USAGE:", "DESCRIPTION:", "OPTIONS:"].map((s) => help.indexOf(s));
      expect(usage).toBeGreaterThan(-1);
      expect(description).toBeGreaterThan(usage);
      expect(options).toBeGreaterThan(description);
    }
  });

  test("a command group takes help [command], as its usage text says", () => {
    const group = rkt(data.path, ["image", "help"]);
    expect(group.exitCode).toBe(0);
    expect(group.stdout).toContain("Run 'rkt image help [command]' for more information on a command.");
    const command = rkt(data.path, ["image", "help", "list"]);
    expect(command.exitCode).toBe(0);
    expect(command.stdout).toContain("rkt image list - List images in the local store");
  });

  test("an unknown command is a usage error with exit 2", () => {
    const r = rkt(data.path, ["frobnicate"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`rkt: unknown command "frobnicate" for "rkt" (see 'rkt help')\n`);
  });

  test("a mistyped command or flag gets the closest known one, within two edits", () => {
    expect(rkt(data.path, ["rnu"]).stderr).toBe(`rkt: unknown command "rnu" for "rkt"; did you mean "run"? (see 'rkt help')\n`);
    expect(rkt(data.path, ["image", "lsit"]).stderr).toBe(`rkt: unknown command "lsit" for "rkt image"; did you mean "list"? (see 'rkt help')\n`);
    const flag = rkt(data.path, ["list", "--no-legnd"]);
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toBe("list: unknown flag: --no-legnd; did you mean --no-legend? (see 'rkt list --help')\n");
    // Nothing close: no suggestion.
    expect(rkt(data.path, ["frobnicate"]).stderr).not.toContain("did you mean");
  });

  test("a name of Object.prototype is an unknown command, not a command without description", () => {
    for (const word of ["constructor", "toString"]) {
      const r = rkt(data.path, [word]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toBe(`rkt: unknown command "${word}" for "rkt" (see 'rkt help')\n`);
    }
  });

  test("older command names answer only in full, with the help of the command they name", () => {
    expect(rkt(data.path, ["images", "--help"]).stdout).toContain("rkt images - List images in the local store");
    expect(rkt(data.path, ["imag", "--help"]).stdout).toContain("rkt image - Operate on an image in the local store");
  });

  test("a bad flag is a usage error with exit 2", () => {
    const r = rkt(data.path, ["version", "--frobnicate"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe("version: unknown flag: --frobnicate (see 'rkt version --help')\n");
  });

  test("a command that takes no arguments refuses one instead of ignoring it", () => {
    const r = rkt(data.path, ["gc", "30m"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`gc: unexpected argument "30m" (usage: rkt gc [--grace-period=DURATION] [--expire-prepared=DURATION])\n`);
    for (const command of ["list", "version", "install"]) expect(rkt(data.path, [command, "extra"]).exitCode).toBe(2);
  });

  test("an empty --dir is refused outside run and prepare, instead of making a store in the working directory", () => {
    const cwd = tempDir("rkt-cli-cwd-");
    try {
      const r = Bun.spawnSync([rktBinary, "--dir=", "image", "list"], { cwd: cwd.path, stdin: "ignore" });
      expect(r.exitCode).toBe(2);
      expect(r.stderr.toString()).toBe("image list: --dir must name a directory (the empty string is for run and prepare only)\n");
      expect(readdirSync(cwd.path)).toEqual([]);
    } finally {
      cwd.cleanup();
    }
  });

  test("global flags may stand before or after the command", () => {
    expect(rkt(data.path, ["--debug", "version"]).exitCode).toBe(0);
    expect(rkt(data.path, ["version", "--debug"]).exitCode).toBe(0);
    const spaced = Bun.spawnSync([rktBinary, "--dir", data.path, "image", "list", "--no-legend"], { stdin: "ignore" });
    expect(spaced.exitCode).toBe(0);
    expect(spaced.stderr.toString()).toBe("");
  });
});
