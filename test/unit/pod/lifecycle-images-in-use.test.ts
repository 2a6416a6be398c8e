import { afterEach, beforeEach, expect, test } from "bun:test";
import { imageKeysInUse } from "../../../src/pod/images-in-use";
import { tempDir } from "../../support/harness";
import { imageId, makePod, STAGE1_KEY } from "./lifecycle-fixtures";

let data: { path: string; cleanup: () => void };
beforeEach(() => (data = tempDir("rkt-lifecycle-")));
afterEach(() => data.cleanup());

test("image keys in use are the truncated app image IDs and the stage1 key of listed pods", () => {
  makePod(data.path, { dirState: "prepared", apps: [{ name: "a", imageId: imageId("a") }, { name: "b", imageId: imageId("b") }] });
  makePod(data.path, { dirState: "exited-garbage", apps: [{ name: "c", imageId: imageId("c") }] });
  expect([...imageKeysInUse(data.path)].sort()).toEqual(
    ["sha512-" + "a".repeat(64), "sha512-" + "b".repeat(64), "sha512-" + "c".repeat(64), STAGE1_KEY].sort(),
  );
});

test("pods in garbage do not keep images in use", () => {
  makePod(data.path, { dirState: "garbage", apps: [{ name: "a", imageId: imageId("d") }] });
  expect(imageKeysInUse(data.path).size).toBe(0);
});

test("no pods directory means no image in use", () => {
  expect(imageKeysInUse(data.path).size).toBe(0);
});
