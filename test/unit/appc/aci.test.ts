import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import {
  aciEntries,
  applyManifestPatch,
  buildAci,
  detectFileCompression,
  parseImageManifest,
  readAciManifest,
  rewriteAciManifest,
  tarEnd,
  tarEntry,
  validateAciArchive,
  validateLayout,
  type TarHeader,
} from "../../../src/appc";
import { parseCapabilitiesFlag, parseIsolatorsFlag, parseMountPointsFlag, parsePortsFlag } from "../../../src/cli/actool-patch-flags";
import { SIZE_LIMITS } from "../../../src/size-limits";
import { imageManifest, makeTestAci, tempDir } from "../../support/harness";

const scratch = tempDir("appc-aci-");
afterAll(scratch.cleanup);

const manifest = imageManifest("example.com/hello", { app: { exec: ["/bin/hello"], user: "0", group: "0" } });

function header(name: string, type: TarHeader["type"], size = 0): TarHeader {
  return { name, type, mode: type === "directory" ? 0o755 : 0o644, uid: 0, gid: 0, size, mtime: 0 };
}

/** Writes a plain tar of the given entries (file contents as strings). */
async function craftTar(fileName: string, entries: Array<[TarHeader, string?]>): Promise<string> {
  const out = join(scratch.path, fileName);
  async function* all() {
    for (const [h, body] of entries) {
      const bytes = new TextEncoder().encode(body ?? "");
      yield* tarEntry({ ...h, size: h.type === "file" ? bytes.length : 0 }, bytes);
    }
    yield tarEnd();
  }
  await pipeline(Readable.from(all()), createWriteStream(out));
  return out;
}

function makeLayout(name: string, files: Record<string, string> = { "bin/hello": "hello" }): string {
  const dir = join(scratch.path, name);
  mkdirSync(join(dir, "rootfs"), { recursive: true });
  writeFileSync(join(dir, "manifest"), JSON.stringify(manifest));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, "rootfs", path, ".."), { recursive: true });
    writeFileSync(join(dir, "rootfs", path), content);
  }
  return dir;
}

describe("reading ACIs", () => {
  for (const compression of ["gzip", "bzip2", "xz", "none"] as const) {
    test(`the manifest of a ${compression} image`, async () => {
      const aci = makeTestAci(scratch.path, `hello-${compression}.aci`, { manifest, files: { "etc/x": "x" }, compression });
      expect(await detectFileCompression(aci)).toBe(compression);
      expect((await readAciManifest(aci)).name).toBe("example.com/hello");
      expect((await validateAciArchive(aci)).name).toBe("example.com/hello");
    });
  }

  test("an unknown file type is reported as such", async () => {
    const file = join(scratch.path, "text.aci");
    writeFileSync(file, "just some text, not an image at all");
    await expect(readAciManifest(file)).rejects.toThrow("unknown image filetype");
  });

  test("a corrupt xz stream is an error naming the tool", async () => {
    const file = join(scratch.path, "broken.aci");
    writeFileSync(file, Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(600, 7)]));
    await expect(readAciManifest(file)).rejects.toThrow("xz -dc");
  });

  test("an image without a manifest", async () => {
    const aci = await craftTar("no-manifest.aci", [[header("rootfs", "directory")]]);
    await expect(readAciManifest(aci)).rejects.toThrow("missing manifest");
  });

  test("a manifest entry larger than its limit is refused before it is read", async () => {
    const aci = await craftTar("huge-manifest.aci", [[header("manifest", "file"), " ".repeat(SIZE_LIMITS.imageManifest + 1)]]);
    await expect(readAciManifest(aci)).rejects.toThrow("the image manifest is larger than 4 MiB");
  });
});

describe("archive validation", () => {
  const json = JSON.stringify(manifest);

  test("accepts ./-prefixed names and a manifest after the rootfs", async () => {
    const aci = await craftTar("dot.aci", [[header(".", "directory")], [header("./rootfs", "directory")], [header("./rootfs/a", "file"), "a"], [header("./manifest", "file"), json]]);
    expect((await validateAciArchive(aci)).name).toBe("example.com/hello");
  });

  test("rejects what the reference rejects", async () => {
    const cases: Array<[string, Array<[TarHeader, string?]>, string]> = [
      ["no manifest", [[header("rootfs", "directory")]], "no image manifest found in layout"],
      ["no rootfs", [[header("manifest", "file"), json]], "no rootfs found in layout"],
      ["extra file", [[header("manifest", "file"), json], [header("rootfs", "directory")], [header("README", "file"), "hi"]], 'unrecognized file path in layout: "README"'],
      ["duplicate", [[header("manifest", "file"), json], [header("rootfs", "directory")], [header("rootfs/a", "file"), "1"], [header("rootfs/a", "file"), "2"]], "duplicate file entry in archive: rootfs/a"],
      ["rootfs file", [[header("manifest", "file"), json], [header("rootfs", "file"), "x"]], "rootfs is not a directory"],
      ["bad manifest", [[header("manifest", "file"), JSON.stringify({ ...manifest, name: "" })], [header("rootfs", "directory")]], "image manifest validation failed: name: must be set"],
    ];
    for (const [what, entries, message] of cases) {
      const aci = await craftTar(`${what.replace(/ /g, "-")}.aci`, entries);
      await expect(validateAciArchive(aci)).rejects.toThrow(message);
    }
  });
});

describe("building ACIs", () => {
  test("packs manifest first, then rootfs, readable by the system tar", async () => {
    const layout = makeLayout("layout-ok", { "bin/hello": "hello", "etc/conf": "c" });
    chmodSync(join(layout, "rootfs/bin/hello"), 0o755);
    const out = join(scratch.path, "built.aci");
    await buildAci(layout, out, { compress: true, overwrite: false });
    expect(await detectFileCompression(out)).toBe("gzip");
    const listing = Bun.spawnSync(["tar", "-tzvf", out]).stdout.toString().trim().split("\n");
    expect(listing[0]).toMatch(/ manifest$/);
    expect(listing[1]).toMatch(/^d.* rootfs\/$/);
    expect(listing.join("\n")).toMatch(/^-rwxr-xr-x .* rootfs\/bin\/hello$/m);
    expect(await validateAciArchive(out)).toEqual(parseImageManifest(manifest));
  });

  test("refuses to overwrite unless asked, and writes plain tar without compression", async () => {
    const layout = makeLayout("layout-plain");
    const out = join(scratch.path, "plain.aci");
    await buildAci(layout, out, { compress: false, overwrite: false });
    expect(await detectFileCompression(out)).toBe("none");
    await expect(buildAci(layout, out, { compress: true, overwrite: false })).rejects.toThrow("already exists (try --overwrite)");
    await buildAci(layout, out, { compress: true, overwrite: true });
    expect(await detectFileCompression(out)).toBe("gzip");
  });

  test("the layout is checked before anything is written", async () => {
    const extra = makeLayout("layout-extra");
    writeFileSync(join(extra, "notes.txt"), "x");
    await expect(validateLayout(extra)).rejects.toThrow('unrecognized file path in layout: "notes.txt"');
    const noRootfs = join(scratch.path, "layout-empty");
    mkdirSync(noRootfs);
    writeFileSync(join(noRootfs, "manifest"), JSON.stringify(manifest));
    await expect(validateLayout(noRootfs)).rejects.toThrow("no rootfs found in layout");
    const badManifest = makeLayout("layout-bad");
    writeFileSync(join(badManifest, "manifest"), JSON.stringify({ ...manifest, app: { exec: ["rel"], user: "0", group: "0" } }));
    await expect(buildAci(badManifest, join(scratch.path, "never.aci"), { compress: true, overwrite: false })).rejects.toThrow("app.exec[0]: must be an absolute path");
  });
});

describe("patching manifests", () => {
  test("flag syntaxes for mounts, ports, isolators and capabilities", () => {
    expect(parseMountPointsFlag("work,path=/w,readOnly=true:cache,path=/c")).toEqual([{ name: "work", path: "/w", readOnly: true }, { name: "cache", path: "/c" }]);
    expect(parsePortsFlag("www,protocol=tcp,port=80,socketActivated=true")).toEqual([{ name: "www", protocol: "tcp", port: 80, count: 1, socketActivated: true }]);
    expect(() => parsePortsFlag("www,protocol=tcp,port=eighty")).toThrow('port www: "eighty" is not a number');
    expect(parseIsolatorsFlag("resource/cpu,request=50m,limit=100m")).toEqual([{ name: "resource/cpu", value: { request: "50m", limit: "100m" } }]);
    expect(parseCapabilitiesFlag("CAP_NET_ADMIN,CAP_KILL")).toEqual(["CAP_NET_ADMIN", "CAP_KILL"]);
    expect(() => parseCapabilitiesFlag("CAP_NOPE")).toThrow('unknown capability "CAP_NOPE"');
  });

  test("a patch changes the named fields and validates the result", () => {
    const m = parseImageManifest(manifest);
    const patched = applyManifestPatch(m, {
      name: "example.com/renamed",
      exec: ["/bin/sh", "-c", "true"],
      capabilities: ["CAP_KILL"],
      isolators: [{ name: "resource/memory", value: { limit: "64Mi" } }],
    });
    expect(patched.name).toBe("example.com/renamed");
    expect(patched.app?.exec).toEqual(["/bin/sh", "-c", "true"]);
    expect(patched.app?.isolators).toEqual([
      { name: "resource/memory", value: { limit: "64Mi" } },
      { name: "os/linux/capabilities-retain-set", value: { set: ["CAP_KILL"] } },
    ]);
    expect(m.name).toBe("example.com/hello");
    expect(() => applyManifestPatch(m, { exec: ["relative"] })).toThrow("app.exec[0]: must be an absolute path");
    const noApp = parseImageManifest(imageManifest("example.com/lib"));
    expect(() => applyManifestPatch(noApp, { user: "0" })).toThrow("app.exec: must not be empty; app.group: must be set");
  });

  test("rewriting keeps every other entry byte for byte", async () => {
    const aci = makeTestAci(scratch.path, "to-patch.aci", { manifest, files: { "bin/hello": { content: "hello", mode: 0o4711 } }, symlinks: { "bin/alias": "hello" } });
    const out = join(scratch.path, "patched.aci");
    await rewriteAciManifest(aci, out, (m) => applyManifestPatch(m, { user: "1000" }), { compress: true, overwrite: false });
    const summarize = async (file: string) => {
      const entries: Array<[TarHeader, string]> = [];
      for await (const e of aciEntries(file)) entries.push([e.header, Buffer.from(await e.bytes()).toString("base64")]);
      return entries;
    };
    const before = await summarize(aci);
    const after = await summarize(out);
    expect(after.map(([h]) => h.name)).toEqual(before.map(([h]) => h.name));
    for (let i = 0; i < before.length; i++) {
      if (before[i]![0].name === "manifest") continue;
      expect(after[i]).toEqual(before[i]!);
    }
    expect((await readAciManifest(out)).app?.user).toBe("1000");
  });

  test("in-place rewriting replaces the input", async () => {
    const aci = makeTestAci(scratch.path, "in-place.aci", { manifest, compression: "xz" });
    await rewriteAciManifest(aci, aci, (m) => ({ ...m, name: "example.com/in-place" }), { compress: false, overwrite: false });
    expect((await readAciManifest(aci)).name).toBe("example.com/in-place");
    expect(await detectFileCompression(aci)).toBe("none");
    expect(readFileSync(aci).length).toBeGreaterThan(1024);
  });
});
