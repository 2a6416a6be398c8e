// rkt on a host whose PID 1 is systemd: a Debian 12 system booted with systemd-nspawn
// (test/support/systemd-machine.ts) runs dist/rkt, and its own journalctl, machinectl and
// systemctl check what the pods did: app output in the journal under the app's name, the pod
// registered with machined while it runs, `machinectl poweroff`/`terminate` and
// `systemctl stop` of the sample unit stopping it with the apps' statuses kept, and
// `systemd-run rkt run` as a transient service.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { repoRoot, rktBinary, tempDir } from "../support/harness";
import { bootSystemdMachine, canBootSystemdMachine, type SystemdMachine } from "../support/systemd-machine";
import { busyboxImage, shellApp, waitFor } from "./run-fixtures";

// The boot takes a second or two; pods and journal reads on a loaded 2-core machine, seconds.
setDefaultTimeout(120_000);

const work = tempDir("rkt-systemd-host-images-");
let machine: SystemdMachine;

/** An app that says it is ready once its SIGTERM trap is set, then waits. */
function stoppableApp(onTerm: string): Record<string, unknown> {
  return shellApp(`${onTerm ? `trap '${onTerm}' TERM; ` : ""}echo ready; sleep 1000 & wait`);
}

/** Copies a busybox image with APP into the machine; returns its path there. */
function imageInMachine(name: string, app: Record<string, unknown>): string {
  const path = `/root/${name.split("/").pop()}.aci`;
  machine.copyIn(busyboxImage(work.path, name, app), path);
  return path;
}

interface JournalEntry {
  MESSAGE: string;
  PRIORITY: string;
  CONTAINER_NAME: string;
  _SYSTEMD_UNIT: string;
}

/** The entries with SYSLOG_IDENTIFIER=IDENTIFIER in all journals (the host's and each pod's
 * namespace, or the one journalctl -M SOURCE reads), after journald took all it was sent. */
function journalEntries(identifier: string, source: string[] = ["--namespace=*"]): JournalEntry[] {
  machine.run(["journalctl", "--sync"]);
  const read = machine.run(["journalctl", ...source, "--no-pager", "-o", "json", "-t", identifier]);
  return read.stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as JournalEntry);
}

function messages(identifier: string): string[] {
  return journalEntries(identifier).map((entry) => entry.MESSAGE);
}

async function waitForMessage(identifier: string, message: string): Promise<void> {
  await waitFor(`"${message}" from ${identifier} in the journal`, () => (messages(identifier).includes(message) ? true : undefined));
}

/** `rkt run` in a scope of its own (machined registers machines of a unit), in the background. */
function spawnPod(image: string, uuidFile: string) {
  return machine.spawn(["systemd-run", "--scope", "--quiet", "/usr/bin/rkt", "--insecure-skip-verify", "run", "--mds-register=false", `--uuid-file-save=${uuidFile}`, image]);
}

function listedMachines(): string[] {
  return machine.run(["machinectl", "list", "--no-legend"]).stdout.split("\n").filter(Boolean).map((line) => line.trim().split(/\s+/).slice(0, 3).join(" "));
}

/** Waits until the pod saved its UUID and machined knows it; returns the UUID. */
async function waitForRegisteredPod(uuidFile: string): Promise<string> {
  return waitFor("the pod registered with machined", () => {
    const uuid = machine.run(["cat", uuidFile]).stdout.trim();
    return uuid && machine.run(["machinectl", "show", `rkt-${uuid}`]).exitCode === 0 ? uuid : undefined;
  });
}

function appStatusesOf(uuid: string): string[] {
  return machine.run(["rkt", "status", uuid]).stdout.split("\n").filter((line) => line.startsWith("app-"));
}

describe.skipIf(!canBootSystemdMachine())("on a host whose PID 1 is systemd", () => {
  beforeAll(async () => {
    machine = await bootSystemdMachine();
    machine.copyIn(rktBinary, "/usr/bin/rkt", 0o755);
  });
  afterAll(async () => {
    await machine?.shutdown();
    work.cleanup();
  });

  test("each line of app output is a journal entry of the app, and logs/<app> keeps the output once", () => {
    const image = imageInMachine("example.com/talker", shellApp("printf 'out-one\\nout-two\\n'; echo err-one >&2; printf no-newline"));
    const run = machine.run(["systemd-run", "--scope", "--quiet", "/usr/bin/rkt", "--insecure-skip-verify", "run", "--mds-register=false", "--uuid-file-save=/root/talker-uuid", image]);
    expect(run.stderr).toBe("err-one\n");
    expect(run.stdout).toBe("out-one\nout-two\nno-newline");
    expect(run.exitCode).toBe(0);
    const uuid = machine.run(["cat", "/root/talker-uuid"]).stdout.trim();
    const entries = journalEntries("talker");
    // stdout and stderr are separate pipes: order is kept within each, not across them.
    const byPriority = (priority: string) => entries.filter((entry) => entry.PRIORITY === priority).map((entry) => entry.MESSAGE);
    expect(byPriority("6")).toEqual(["out-one", "out-two", "no-newline"]);
    expect(byPriority("3")).toEqual(["err-one"]);
    expect(entries).toHaveLength(4);
    expect(new Set(entries.map((entry) => entry.CONTAINER_NAME))).toEqual(new Set([`rkt-${uuid}`]));
    // In the pod's own journal namespace, kept after the pod: not in the host's journal.
    expect(journalEntries("talker", [`--namespace=rkt-${uuid}`]).map((entry) => entry.MESSAGE)).toEqual(entries.map((entry) => entry.MESSAGE));
    expect(journalEntries("talker", [])).toEqual([]);
    const log = machine.run(["cat", `/var/lib/rkt/pods/run/${uuid}/logs/talker`]).stdout;
    expect(log.length).toBe("out-one\nout-two\nerr-one\nno-newline".length);
    for (const piece of ["out-one\nout-two\n", "err-one\n", "no-newline"]) expect(log.split(piece)).toHaveLength(2);
  });

  test("a pod silent for longer than journald's idle time (30 s) still has its later output in its namespace", () => {
    const image = imageInMachine("example.com/quiet", shellApp("echo early; sleep 35; echo late"));
    const run = machine.run(["systemd-run", "--scope", "--quiet", "/usr/bin/rkt", "--insecure-skip-verify", "run", "--mds-register=false", "--uuid-file-save=/root/quiet-uuid", image]);
    expect(run.exitCode).toBe(0);
    const uuid = machine.run(["cat", "/root/quiet-uuid"]).stdout.trim();
    expect(journalEntries("quiet", [`--namespace=rkt-${uuid}`]).map((entry) => entry.MESSAGE)).toEqual(["early", "late"]);
  });

  test("systemd-run rkt run: the pod runs as a transient service, its output through the pipe and in the journal, rkt's status the service's", () => {
    const image = imageInMachine("example.com/transient", shellApp("echo from-service; exit 5"));
    const run = machine.run(["systemd-run", "--wait", "--quiet", "--pipe", "/usr/bin/rkt", "--insecure-skip-verify", "run", "--mds-register=false", image]);
    expect(run.stdout).toBe("from-service\n");
    expect(run.exitCode).toBe(5);
    const entry = journalEntries("transient")[0]!;
    expect(entry.MESSAGE).toBe("from-service");
    expect(entry._SYSTEMD_UNIT).toMatch(/^run-.*\.service$/);
  });

  test("a running pod is the machine rkt-<uuid> (container, leader its PID 1, root its stage1 rootfs); machinectl poweroff stops it the orderly way, statuses kept, and it is gone after", async () => {
    const pod = spawnPod(imageInMachine("example.com/poweroff", stoppableApp("echo stopping; exit 7")), "/root/poweroff-uuid");
    const uuid = await waitForRegisteredPod("/root/poweroff-uuid");
    expect(listedMachines()).toContain(`rkt-${uuid} container rkt`);
    const podDir = `/var/lib/rkt/pods/run/${uuid}`;
    const shown = machine.run(["machinectl", "show", "-p", "Leader", "-p", "RootDirectory", "-p", "Class", `rkt-${uuid}`]).stdout;
    expect(shown.split("\n").filter(Boolean).sort()).toEqual([
      "Class=container",
      `Leader=${machine.run(["cat", `${podDir}/pid`]).stdout.trim()}`,
      `RootDirectory=${podDir}/stage1/rootfs`,
    ]);
    await waitForMessage("poweroff", "ready");
    expect(journalEntries("poweroff", ["-M", `rkt-${uuid}`]).map((entry) => entry.MESSAGE)).toEqual(["ready"]);
    expect(machine.run(["machinectl", "poweroff", `rkt-${uuid}`]).exitCode).toBe(0);
    expect(await pod.exited).toBe(7);
    expect(messages("poweroff")).toContain("stopping");
    expect(appStatusesOf(uuid)).toEqual(["app-poweroff=7"]);
    expect(listedMachines().filter((line) => line.includes(uuid))).toEqual([]);
  });

  test("a pod started outside any unit, which machined cannot place, runs unregistered after one warning line", () => {
    const image = imageInMachine("example.com/outside", shellApp("echo hi"));
    const run = machine.run(["/usr/bin/rkt", "--insecure-skip-verify", "run", "--mds-register=false", image]);
    expect(run.stderr).toMatch(/^stage1: warning: systemd-machined: register rkt-[0-9a-f-]{36}: System\.Error\.ENXIO: Failed to determine unit of process \d+[^\n]*\n$/);
    expect(run.stdout).toBe("hi\n");
    expect(run.exitCode).toBe(0);
  });

  test("machinectl terminate stops the pod's unit; the apps' statuses are kept and the machine is gone", async () => {
    const pod = spawnPod(imageInMachine("example.com/terminate", stoppableApp("echo stopping; exit 9")), "/root/terminate-uuid");
    const uuid = await waitForRegisteredPod("/root/terminate-uuid");
    await waitForMessage("terminate", "ready");
    expect(machine.run(["machinectl", "terminate", `rkt-${uuid}`]).exitCode).toBe(0);
    expect(await pod.exited).toBe(9);
    expect(appStatusesOf(uuid)).toEqual(["app-terminate=9"]);
    expect(listedMachines().filter((line) => line.includes(uuid))).toEqual([]);
  });

  test("the sample unit rkt-pod@.service runs a pod as a service; systemctl stop ends it the orderly way within its timeout, statuses kept", async () => {
    machine.copyIn(join(repoRoot, "dist/init/systemd/rkt-pod@.service"), "/etc/systemd/system/rkt-pod@.service");
    expect(machine.run(["systemctl", "daemon-reload"]).exitCode).toBe(0);
    const image = imageInMachine("example.com/service", stoppableApp(""));
    expect(machine.run(["rkt", "--insecure-skip-verify", "fetch", image]).exitCode).toBe(0);
    const unit = `rkt-pod@${machine.run(["systemd-escape", "example.com/service"]).stdout.trim()}.service`;
    const start = machine.run(["systemctl", "start", unit]);
    expect(start.stderr).toBe("");
    await waitForMessage("service", "ready");
    const entry = journalEntries("service")[0]!;
    expect(entry._SYSTEMD_UNIT).toBe(unit);
    // The service's stdout is a journal stream already: the line is not in the journal twice.
    machine.run(["journalctl", "--sync"]);
    expect(machine.run(["journalctl", "--no-pager", "-o", "cat", "--namespace=*", "-u", unit]).stdout.split("\n").filter((line) => line === "ready")).toEqual(["ready"]);
    const uuid = entry.CONTAINER_NAME.replace(/^rkt-/, "");
    expect(machine.run(["machinectl", "show", "-p", "Unit", `rkt-${uuid}`]).stdout.trim()).toBe(`Unit=${unit}`);
    expect(machine.run(["systemctl", "stop", unit]).exitCode).toBe(0);
    // rkt exited 143 (the app's SIGTERM), a clean stop for the unit: not failed.
    expect(machine.run(["systemctl", "is-failed", unit]).stdout.trim()).toBe("inactive");
    // The app was stopped by stage1's SIGTERM, not by systemd's SIGKILL.
    expect(appStatusesOf(uuid)).toEqual(["app-service=15"]);
    expect(listedMachines().filter((line) => line.includes(uuid))).toEqual([]);
  });
});
