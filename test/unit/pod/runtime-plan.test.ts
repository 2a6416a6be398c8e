import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { capabilityNumber, type ImageManifest } from "../../../src/appc";
import { decodeRecords } from "../../../src/pod/contract-records";
import { DEFAULT_CAPABILITIES, ignoredIsolatorWarnings, renderRuntimePlan, writeRuntimePlan, type RuntimePlan } from "../../../src/pod/runtime-plan";
import { tempDir } from "../../support/harness";

const dir = tempDir("rkt-plan-");
afterAll(dir.cleanup);

const image: ImageManifest = { acKind: "ImageManifest", acVersion: "0.6.1", name: "example.com/web" };
const plan: RuntimePlan = {
  metadataUrl: "",
  podIsolators: [{ name: "resource/memory", value: { limit: "1Gi" } }],
  apps: [
    {
      name: "web",
      image,
      ids: { uid: 1000, gid: 1000, groups: [1000, 10] },
      mounts: [
        { volume: { name: "data", kind: "host", source: "/srv/data" }, path: "/data", readOnly: true },
        { volume: { name: "scratch", kind: "empty" }, path: "/scratch", readOnly: false },
      ],
      app: {
        exec: ["/bin/web", "--port", "80"],
        user: "web",
        group: "web",
        workingDirectory: "/srv",
        environment: [{ name: "A", value: "1" }],
        eventHandlers: [{ name: "pre-start", exec: ["/bin/setup"] }],
        isolators: [
          { name: "resource/memory", value: { limit: "100M" } },
          { name: "resource/cpu", value: { limit: "800m" } },
          { name: "os/linux/capabilities-remove-set", value: { set: ["CAP_NET_BIND_SERVICE"] } },
          { name: "resource/block-iops", value: { default: true, limit: "10" } },
        ],
        ports: [{ name: "http", protocol: "tcp", port: 80, socketActivated: true }],
      },
    },
    { name: "side", image, ids: { uid: 0, gid: 0, groups: [0] }, mounts: [], app: { exec: ["/bin/side"], user: "0", group: "0" } },
  ],
};
writeRuntimePlan(dir.path, renderRuntimePlan(plan));
const read = (path: string) => readFileSync(join(dir.path, path), "utf8");
/** The fields of a contract file, one list per record. */
const records = (path: string, fieldsPerRecord = 1) => decodeRecords(readFileSync(join(dir.path, path)), fieldsPerRecord, path);
const list = (path: string) => records(path).map(([field]) => field);

describe("the stage1 runtime plan", () => {
  test("lists the apps in pod order and their complete environments", () => {
    expect(read("rkt/apps")).toBe("web\0side\0");
    expect(read("rkt/env/web")).toContain("A=1\0AC_APP_NAME=web\0AC_METADATA_URL=\0container=rkt\0");
  });

  test("writes argv, ids, workdir, mounts and event handlers", () => {
    expect(read("rkt/app/web/exec")).toBe(["/bin/web", "--port", "80", ""].join("\0"));
    expect(read("rkt/app/web/pre-start")).toBe("/bin/setup\0");
    expect(existsSync(join(dir.path, "rkt/app/web/post-stop"))).toBe(false);
    expect(list("rkt/app/web/ids")).toEqual(["1000", "1000", "1000", "10"]);
    expect(read("rkt/app/web/workdir")).toBe("/srv\0");
    expect(read("rkt/app/side/workdir")).toBe("/\0");
    expect(records("rkt/app/web/mounts", 4)).toEqual([
      ["host", "/srv/data", "/data", "ro"],
      ["empty", "scratch", "/scratch", "rw"],
    ]);
    expect(records("rkt/app/web/sockets", 2)).toEqual([["tcp", "80"]]);
    expect(read("opt/stage2/web/manifest")).toContain('"example.com/web"');
  });

  test("applies capability isolators to the default set", () => {
    expect(list("rkt/app/side/caps").map(Number)).toEqual([...DEFAULT_CAPABILITIES].sort((a, b) => a - b));
    const web = list("rkt/app/web/caps").map(Number);
    expect(web).not.toContain(capabilityNumber("CAP_NET_BIND_SERVICE"));
    expect(web.length).toBe(DEFAULT_CAPABILITIES.length - 1);
  });

  test("the default set is podman's: none of the capabilities that reach beyond the pod", () => {
    expect(list("rkt/app/side/caps")).toEqual(["0", "1", "3", "4", "5", "6", "7", "8", "10", "18", "31"]);
    for (const name of ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_NET_RAW", "CAP_MKNOD", "CAP_NET_ADMIN", "CAP_DAC_READ_SEARCH", "CAP_AUDIT_WRITE"]) {
      expect(DEFAULT_CAPABILITIES).not.toContain(capabilityNumber(name));
    }
  });

  test("writes app and pod limits, and warns about the isolators it ignores", () => {
    expect(records("rkt/app/web/limits", 2)).toEqual([["memory", "100000000"], ["cpu", "800"]]);
    expect(records("rkt/pod-limits", 2)).toEqual([["memory", String(1024 ** 3)]]);
    expect(existsSync(join(dir.path, "rkt/app/side/limits"))).toBe(false);
    expect(ignoredIsolatorWarnings(plan)).toEqual(['warning: isolator "resource/block-iops" of app "web" is not supported, ignoring it']);
  });
});
