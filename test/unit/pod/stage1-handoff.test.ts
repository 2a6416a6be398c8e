import { describe, expect, test } from "bun:test";
import type { ImageManifest } from "../../../src/appc";
import { stage1Entrypoint } from "../../../src/pod/stage1-image";
import { stage1RunArgs } from "../../../src/pod/run";
import { chooseApp } from "../../../src/pod/enter";
import { podOverlayLayers } from "../../../src/pod/overlay";
import { tempDir } from "../../support/harness";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const stage1: ImageManifest = {
  acKind: "ImageManifest",
  acVersion: "0.6.1",
  name: "example.com/stage1",
  annotations: [
    { name: "coreos.com/rkt/stage1/run", value: "/custom-init" },
    { name: "coreos.com/rkt/stage1/enter", value: "/custom-enter" },
  ],
};

describe("stage1 entrypoints", () => {
  test("come from the stage1 manifest's annotations", () => {
    expect(stage1Entrypoint(stage1, "run")).toBe("/custom-init");
    expect(stage1Entrypoint(stage1, "enter")).toBe("/custom-enter");
  });

  test("a missing one is rkt's error", () => {
    expect(() => stage1Entrypoint(stage1, "gc")).toThrow('entrypoint annotation "coreos.com/rkt/stage1/gc" not found');
  });

  test("init gets its flags in the contract's order, the UUID last", () => {
    const pod = tempDir("rkt-args-");
    try {
      writeFileSync(join(pod.path, "private-users-prepared"), "65536:65536");
      const args = stage1RunArgs(pod.path, "uuid-1", { debug: true, interactive: true, privateNet: "all", mdsToken: "tok", localConfig: "/etc/rkt", insecureOptions: ["seccomp", "no-new-privs"] });
      expect(args).toEqual(["--debug", "--private-net=all", "--interactive", "--private-users=65536:65536", "--insecure-options=seccomp,no-new-privs", "--mds-token=tok", "--local-config=/etc/rkt", "uuid-1"]);
    } finally {
      pod.cleanup();
    }
  });
});

describe("overlay layers", () => {
  test("stage1 first on stage1/rootfs, then each app below opt/stage2, with per-app upper and work dirs", () => {
    const layers = podOverlayLayers("/pod", (key) => `/cas/tree/${key}/rootfs`, "sha512-s1", [{ name: "web", key: "sha512-w" }]);
    expect(layers).toEqual([
      { lower: "/cas/tree/sha512-s1/rootfs", target: "/pod/stage1/rootfs", upper: "/pod/overlay/sha512-s1/upper", work: "/pod/overlay/sha512-s1/work" },
      {
        lower: "/cas/tree/sha512-w/rootfs",
        target: "/pod/stage1/rootfs/opt/stage2/web/rootfs",
        upper: "/pod/overlay/sha512-w/upper/web",
        work: "/pod/overlay/sha512-w/work/web",
      },
    ]);
  });
});

describe("rkt enter's app choice", () => {
  test("the only app, or the one --app names", () => {
    expect(chooseApp(["web"], undefined)).toBe("web");
    expect(chooseApp(["web", "db"], "db")).toBe("db");
  });

  test("several apps without --app: rkt's message listing them", () => {
    expect(() => chooseApp(["redis", "etcd"], undefined)).toThrow(
      'Pod contains multiple apps:\n\tredis\n\tetcd\nUnable to determine app name: specify app using "rkt enter --app= ..."',
    );
  });
});
