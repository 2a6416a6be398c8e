import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { classifyImage } from "../../../src/fetch/image-source";
import { tempDir } from "../../support/harness";

const work = tempDir("rkt-image-source-");
const layout = join(work.path, "layout");
const archive = join(work.path, "saved.tar");
mkdirSync(layout);
writeFileSync(archive, "");
afterAll(work.cleanup);

describe("classifyImage: skopeo's docker-archive: and oci: spellings", () => {
  test("the path ends at the first ':' after the prefix; the rest, colons and all, is REF", () => {
    expect(classifyImage(`docker-archive:${archive}:repo/x:tag`)).toEqual({ kind: "archive", format: "docker-archive", path: archive, ref: "repo/x:tag" });
    expect(classifyImage(`oci:${layout}:example.com/app:1.0`)).toEqual({ kind: "archive", format: "oci", path: layout, ref: "example.com/app:1.0" });
    expect(classifyImage(`oci:${layout}`)).toEqual({ kind: "archive", format: "oci", path: layout, ref: undefined });
  });

  test("a missing path or an empty REF is a one-line error, not an image name", () => {
    expect(() => classifyImage(`oci:${work.path}/nowhere:v1`)).toThrow(`unable to access "${work.path}/nowhere" (of oci:${work.path}/nowhere:v1): no such directory`);
    expect(() => classifyImage(`docker-archive:${archive}:`)).toThrow("empty image name after the path");
  });
});
