// Which dependencies fetchDependencies asks for, and in what order; the fetching itself
// (discovery, signatures) is covered end to end in test/e2e/fetch-https.test.ts.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { fetchDependencies } from "../../../src/fetch/dependencies";
import { storeFixture, type StoreFixture } from "../store/fixtures";

let f: StoreFixture;
beforeEach(() => {
  f = storeFixture();
});
afterEach(() => f.cleanup());

/** Answers every request from the store, as --local does, recording what was asked. */
function fromStore(asked: string[]) {
  return async (ref: string, _name: string, _labels: unknown, findInStore: () => string) => {
    asked.push(ref);
    return findInStore();
  };
}

test("each dependency is asked for by its image string, an image's own before theirs", async () => {
  await f.image("example.com/d");
  await f.image("example.com/c", { dependencies: [{ imageName: "example.com/d" }] });
  await f.image("example.com/b", { labels: [{ name: "version", value: "2" }, { name: "os", value: "linux" }] });
  const a = await f.image("example.com/a", {
    dependencies: [{ imageName: "example.com/b", labels: [{ name: "version", value: "2" }, { name: "os", value: "linux" }] }, { imageName: "example.com/c" }],
  });
  const asked: string[] = [];
  await fetchDependencies(f.store, a, fromStore(asked));
  expect(asked).toEqual(["example.com/b:2,os=linux", "example.com/c", "example.com/d"]);
});

test("a dependency cycle ends once every image was visited", async () => {
  await f.image("example.com/b", { dependencies: [{ imageName: "example.com/a" }] });
  const a = await f.image("example.com/a", { dependencies: [{ imageName: "example.com/b" }] });
  const asked: string[] = [];
  await fetchDependencies(f.store, a, fromStore(asked));
  expect(asked).toEqual(["example.com/b", "example.com/a"]);
});

test("a dependency pinned by an image ID in the store is not asked for; a missing one names the dependency", async () => {
  const b = await f.image("example.com/b");
  const a = await f.image("example.com/a", { dependencies: [{ imageName: "example.com/b", imageID: b }] });
  const asked: string[] = [];
  await fetchDependencies(f.store, a, fromStore(asked));
  expect(asked).toEqual([]);

  const orphan = await f.image("example.com/orphan", { dependencies: [{ imageName: "example.com/gone" }] });
  await expect(fetchDependencies(f.store, orphan, fromStore(asked))).rejects.toThrow(
    `dependency example.com/gone: cannot find aci satisfying name: "example.com/gone" in the local store (see 'rkt image list')`,
  );
});
