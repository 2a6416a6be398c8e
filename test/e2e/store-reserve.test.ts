// A store on a small filesystem: an image that would fill it (a gzip bomb, a tree too big)
// is refused while the fetch's import writes its tree, before free space drops under the
// reserve (2% of the filesystem, at least 64 MiB), and the store is left as it was.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { imageManifest, makeTestAci, rktBinary, tempDir } from "../support/harness";

let work: { path: string; cleanup: () => void };

/** An ACI whose rootfs holds one file of `mib` MiB of zeros (sparse on disk, full in the tar). */
function zerosAci(name: string, mib: number): string {
  const layout = join(work.path, `${name}-layout`);
  mkdirSync(join(layout, "rootfs"), { recursive: true });
  writeFileSync(join(layout, "manifest"), JSON.stringify(imageManifest(`example.com/${name}`)));
  writeFileSync(join(layout, "rootfs/zeros"), "");
  Bun.spawnSync(["truncate", "-s", `${mib}M`, join(layout, "rootfs/zeros")]);
  const aci = join(work.path, `${name}.aci`);
  const tar = Bun.spawnSync(["tar", "-C", layout, "--use-compress-program=gzip -1", "-cf", aci, "manifest", "rootfs"]);
  if (tar.exitCode !== 0) throw new Error(tar.stderr.toString());
  return aci;
}

beforeAll(() => {
  work = tempDir("rkt-e2e-reserve-");
});
afterAll(() => work.cleanup());

test("a gzip bomb and a tree too big for the filesystem are refused, leaving the store as it was", () => {
  const hello = makeTestAci(work.path, "hello.aci", { manifest: imageManifest("example.com/hello"), files: { "etc/hello": "hi" } });
  const bomb = zerosAci("bomb", 300);
  // The blob is kept compressed: 80 MiB fits the 96 MiB above the reserve of a 160 MiB
  // filesystem as a tree; 120 MiB does not.
  const fits = zerosAci("fits", 80);
  const wide = zerosAci("wide", 120);
  expect(statSync(bomb).size).toBeLessThan(2 << 20);
  const out = join(work.path, "out");
  mkdirSync(out);
  const data = join(work.path, "data");
  mkdirSync(data);
  // The small filesystem exists only in this private mount namespace, and goes with it.
  const script = `
    set -u
    mount -t tmpfs -o size=160m tmpfs "$DATA"
    rkt() { "$RKT" --dir="$DATA" --insecure-skip-verify "$@"; }
    rkt fetch "$HELLO" >/dev/null 2>&1 || exit 99
    find "$DATA" | sort > "$OUT/before"
    for image in bomb wide fits; do
      rkt fetch "$WORK/$image.aci" 2> "$OUT/$image.err"; echo $? > "$OUT/$image.rc"
      find "$DATA" | sort > "$OUT/after-$image"
    done
    rkt image list --no-legend > "$OUT/list"
  `;
  const proc = Bun.spawnSync(["unshare", "-m", "--propagation", "private", "bash", "-c", script], {
    env: { ...process.env, DATA: data, RKT: rktBinary, HELLO: hello, WORK: work.path, OUT: out },
  });
  expect(proc.exitCode).toBe(0);
  const read = (name: string) => readFileSync(join(out, name), "utf8");
  // Empty fan-out directories (`blob/sha512/<hh>`) stay, as in rkt: a concurrent import may be about to use one.
  const files = (name: string) => read(name).split("\n").filter((line) => !/\/(blob|imageManifest)\/sha512\/[0-9a-f]{2}$/.test(line));
  expect(read("bomb.rc")).toBe("1\n");
  expect(read("bomb.err")).toMatch(/^fetch: import .*bomb\.aci: stopped before the store's filesystem is full \(\d+ MiB free, 64 MiB kept in reserve\); free space or remove images with rkt image rm\n$/);
  expect(files("after-bomb")).toEqual(files("before"));
  expect(read("wide.rc")).toBe("1\n");
  expect(read("wide.err")).toMatch(/^fetch: import .*wide\.aci: stopped before the store's filesystem is full \(\d+ MiB free, 64 MiB kept in reserve\); free space or remove images with rkt image rm\n$/);
  expect(files("after-wide")).toEqual(files("before"));
  expect(read("fits.rc")).toBe("0\n");
  expect(read("list")).toContain("example.com/hello");
  expect(read("list")).toContain("example.com/fits");
  expect(read("list").split("\n").filter(Boolean)).toHaveLength(2);
});
