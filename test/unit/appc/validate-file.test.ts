import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { validateFile } from "../../../src/appc";
import { imageManifest, makeTestAci, tempDir } from "../../support/harness";
import { rktPodManifest } from "./fixtures";

const scratch = tempDir("appc-validate-");
afterAll(scratch.cleanup);
const file = (name: string, content: string) => {
  const path = join(scratch.path, name);
  writeFileSync(path, content);
  return path;
};

describe("validating files of any kind", () => {
  test("detects images, layouts and both manifest kinds", async () => {
    const aci = makeTestAci(scratch.path, "ok.aci", { manifest: imageManifest("example.com/ok"), compression: "bzip2" });
    const layout = join(scratch.path, "layout");
    mkdirSync(join(layout, "rootfs"), { recursive: true });
    writeFileSync(join(layout, "manifest"), JSON.stringify(imageManifest("example.com/ok")));
    expect(await validateFile(aci)).toEqual({ ok: true, kind: "app container image" });
    expect(await validateFile(layout)).toEqual({ ok: true, kind: "image layout" });
    expect(await validateFile(join(layout, "manifest"))).toEqual({ ok: true, kind: "ImageManifest" });
    expect(await validateFile(file("pod.json", JSON.stringify(rktPodManifest())))).toEqual({ ok: true, kind: "PodManifest" });
  });

  test("reports the kind it expected and the reason", async () => {
    expect(await validateFile(file("kindless.json", '{"acVersion":"0.6.1"}'))).toEqual({ ok: false, kind: "manifest", reason: "acKind: must be set" });
    expect(await validateFile(file("strange.json", '{"acKind":"Strange"}'))).toEqual({ ok: false, kind: "manifest", reason: "acKind: bad ACKind: Strange" });
    expect(await validateFile(file("broken.json", "{"))).toMatchObject({ ok: false, kind: "manifest" });
    expect(await validateFile(file("notes.txt", "hello"))).toEqual({ ok: false, kind: "file", reason: "unknown filetype" });
    expect(await validateFile(join(scratch.path, "missing"))).toMatchObject({ ok: false, kind: "file" });
  });

  test("--type forces the kind", async () => {
    const manifest = file("forced.json", JSON.stringify(imageManifest("example.com/ok")));
    expect(await validateFile(manifest, "appimage")).toEqual({ ok: false, kind: "app container image", reason: "unknown image filetype" });
    expect(await validateFile(manifest, "layout")).toMatchObject({ ok: false, kind: "image layout", reason: `${manifest} is not a directory` });
  });
});
