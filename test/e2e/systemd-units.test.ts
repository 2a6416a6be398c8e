// The sample systemd units the build ships in dist/init/systemd (rkt-internals §9):
// systemd's own checker accepts them, and what they run is what rkt accepts.
import { afterAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_REGISTRATION_SOCKET } from "../../src/mds";
import { repoRoot, rkt, rktBinary, tempDataDir, tempDir } from "../support/harness";

const unitsDir = join(repoRoot, "dist/init/systemd");
const work = tempDir("rkt-units-");
const data = tempDataDir("rkt-units-data-");
afterAll(() => {
  work.cleanup();
  data.cleanup();
});

function unit(name: string): string {
  return readFileSync(join(unitsDir, name), "utf8");
}

test("the build ships the metadata service's socket and service, the gc timer and service, and the pod service template", () => {
  expect(readdirSync(unitsDir).sort()).toEqual(["rkt-gc.service", "rkt-gc.timer", "rkt-metadata.service", "rkt-metadata.socket", "rkt-pod@.service"]);
});

test("systemd-analyze verify accepts every unit without a warning", () => {
  // verify checks that ExecStart's program exists: point it at the built binary.
  const copies = readdirSync(unitsDir).map((name) => {
    const copy = join(work.path, name);
    writeFileSync(copy, unit(name).replaceAll("/usr/bin/rkt", rktBinary));
    return copy;
  });
  const verify = Bun.spawnSync(["systemd-analyze", "verify", ...copies], { stdin: "ignore" });
  expect(verify.stderr.toString()).toBe("");
  expect(verify.exitCode).toBe(0);
});

test("the socket unit listens where rkt registers pods, and the gc service's command line is one rkt accepts", () => {
  expect(unit("rkt-metadata.socket")).toContain(`\nListenStream=${DEFAULT_REGISTRATION_SOCKET}\n`);
  const gcCommand = /^ExecStart=\/usr\/bin\/rkt (.*)$/m.exec(unit("rkt-gc.service"))![1]!.split(" ");
  expect(gcCommand).toEqual(["gc", "--grace-period=24h"]);
  expect(rkt(data.path, gcCommand).exitCode).toBe(0);
});
