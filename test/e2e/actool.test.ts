// actool through the built binary: as `rkt actool ...` and as a multicall `actool`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { imageManifest, rkt, rktBinary, tempDir, type RunResult } from "../support/harness";

const scratch = tempDir("actool-e2e-");
afterAll(scratch.cleanup);
const dataDir = join(scratch.path, "data");
const path = (name: string) => join(scratch.path, name);

const manifest = imageManifest("example.com/greeter", {
  app: { exec: ["/bin/greet", "--loud"], user: "0", group: "0" },
  annotations: [{ name: "authors", value: "tests" }],
});

function actool(args: string[]): RunResult {
  return rkt(dataDir, ["actool", ...args]);
}

function systemTarListing(file: string): string[] {
  return Bun.spawnSync(["tar", "--numeric-owner", "-tvzf", file]).stdout.toString().trim().split("\n");
}

beforeAll(() => {
  const layout = path("layout");
  mkdirSync(join(layout, "rootfs/bin"), { recursive: true });
  writeFileSync(join(layout, "manifest"), JSON.stringify(manifest));
  writeFileSync(join(layout, "rootfs/bin/greet"), "#!/bin/sh\necho hello\n");
  chmodSync(join(layout, "rootfs/bin/greet"), 0o755);
  symlinkSync("greet", join(layout, "rootfs/bin/hi"));
});

describe("rkt actool", () => {
  test("build writes a gzip ACI and refuses to overwrite it without --overwrite", () => {
    expect(actool(["build", path("layout"), path("greeter.aci")])).toMatchObject({ exitCode: 0, stderr: "" });
    const again = actool(["build", path("layout"), path("greeter.aci")]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toBe(`actool build: output file ${path("greeter.aci")} already exists (try --overwrite)\n`);
    expect(actool(["build", "--overwrite", "--no-compression", path("layout"), path("greeter.aci")]).exitCode).toBe(0);
    expect(actool(["build", "--overwrite", path("layout"), path("greeter.aci")]).exitCode).toBe(0);
    const listing = systemTarListing(path("greeter.aci"));
    expect(listing[0]).toMatch(/ manifest$/);
    expect(listing).toContainEqual(expect.stringMatching(/^-rwxr-xr-x 0\/0 .* rootfs\/bin\/greet$/));
    expect(listing).toContainEqual(expect.stringMatching(/^lrwxrwxrwx .* rootfs\/bin\/hi -> greet$/));
  });

  test("build rejects a layout with stray files", () => {
    const bad = path("bad-layout");
    mkdirSync(join(bad, "rootfs"), { recursive: true });
    writeFileSync(join(bad, "manifest"), JSON.stringify(manifest));
    writeFileSync(join(bad, "README"), "x");
    const r = actool(["build", bad, path("bad.aci")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('actool build: unrecognized file path in layout: "README"\n');
  });

  test("validate is quiet on success and says what it found with --debug", () => {
    expect(actool(["validate", path("greeter.aci")])).toMatchObject({ exitCode: 0, stdout: "", stderr: "" });
    const r = actool(["--debug", "validate", path("greeter.aci"), path("layout"), join(path("layout"), "manifest")]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe(
      `${path("greeter.aci")}: valid app container image\n${path("layout")}: valid image layout\n${join(path("layout"), "manifest")}: valid ImageManifest\n`,
    );
  });

  test("validate names the bad field and exits 1", () => {
    const bad = path("bad-manifest.json");
    writeFileSync(bad, JSON.stringify({ ...manifest, labels: [{ name: "name", value: "x" }], app: { exec: ["greet"], user: "0", group: "0" } }));
    const r = actool(["validate", "--type=manifest", bad]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`${bad}: invalid ImageManifest: labels[0].name: "name" is not a valid label name; app.exec[0]: must be an absolute path\n`);
  });

  test("cat-manifest prints the manifest, tab-indented with --pretty-print", () => {
    const plain = actool(["cat-manifest", path("greeter.aci")]);
    expect(plain.exitCode).toBe(0);
    expect(JSON.parse(plain.stdout)).toEqual(manifest);
    expect(plain.stdout.trim().split("\n")).toHaveLength(1);
    const pretty = actool(["cat-manifest", "--pretty-print", path("greeter.aci")]);
    expect(pretty.stdout).toStartWith('{\n\t"acKind": "ImageManifest",\n');
    expect(JSON.parse(pretty.stdout)).toEqual(manifest);
  });

  test("patch-manifest rewrites the manifest and keeps every other entry", () => {
    const r = actool([
      "patch-manifest",
      "--name=example.com/patched",
      "--exec=/bin/greet --quiet now",
      "--user=1000",
      "--group=1000",
      "--capability=CAP_NET_BIND_SERVICE",
      "--mounts=data,path=/data,readOnly=true",
      "--ports=www,protocol=tcp,port=8080",
      "--isolators=resource/memory,limit=64Mi",
      path("greeter.aci"),
      path("patched.aci"),
    ]);
    expect(r).toMatchObject({ exitCode: 0, stderr: "" });
    const patched = JSON.parse(actool(["cat-manifest", path("patched.aci")]).stdout);
    expect(patched.name).toBe("example.com/patched");
    expect(patched.annotations).toEqual(manifest.annotations);
    expect(patched.app).toEqual({
      exec: ["/bin/greet", "--quiet", "now"],
      user: "1000",
      group: "1000",
      mountPoints: [{ name: "data", path: "/data", readOnly: true }],
      ports: [{ name: "www", protocol: "tcp", port: 8080, count: 1, socketActivated: false }],
      isolators: [
        { name: "resource/memory", value: { limit: "64Mi" } },
        { name: "os/linux/capabilities-retain-set", value: { set: ["CAP_NET_BIND_SERVICE"] } },
      ],
    });
    const rest = (file: string) => systemTarListing(file).filter((l) => !l.endsWith(" manifest"));
    expect(rest(path("patched.aci"))).toEqual(rest(path("greeter.aci")));
    expect(actool(["validate", path("patched.aci")]).exitCode).toBe(0);
  });

  test("patch-manifest --replace edits in place; a bad patch leaves the file alone", () => {
    const target = path("replace.aci");
    expect(actool(["build", path("layout"), target]).exitCode).toBe(0);
    expect(actool(["patch-manifest", "--replace", "--user=42", target]).exitCode).toBe(0);
    expect(JSON.parse(actool(["cat-manifest", target]).stdout).app.user).toBe("42");
    const bad = actool(["patch-manifest", "--replace", "--exec=greet", target]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toBe("actool patch-manifest: app.exec[0]: must be an absolute path\n");
    expect(JSON.parse(actool(["cat-manifest", target]).stdout).app.exec).toEqual(["/bin/greet", "--loud"]);
  });

  test("patch-manifest: a malformed flag value is a usage error naming the flag and the value", () => {
    const target = path("flag-values.aci");
    expect(actool(["build", path("layout"), target]).exitCode).toBe(0);
    for (const [flag, value, why] of [
      ["capability", "CAP_NOPE", 'unknown capability "CAP_NOPE"'],
      ["ports", "www,protocol=tcp,port=eighty", 'port www: "eighty" is not a number'],
    ]) {
      const r = actool(["patch-manifest", "--replace", `--${flag}=${value}`, target]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toBe(`actool patch-manifest: --${flag} "${value}": ${why}\n`);
    }
  });

  test("patch-manifest --manifest replaces the whole manifest and excludes other edits", () => {
    const replacement = path("replacement.json");
    writeFileSync(replacement, JSON.stringify(imageManifest("example.com/other")));
    expect(actool(["patch-manifest", "--manifest", replacement, path("greeter.aci"), path("other.aci")]).exitCode).toBe(0);
    expect(JSON.parse(actool(["cat-manifest", path("other.aci")]).stdout).name).toBe("example.com/other");
    const both = actool(["patch-manifest", `--manifest=${replacement}`, "--user=1", path("greeter.aci"), path("other2.aci")]);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain("--manifest cannot be combined with --user");
  });

  test("patch-manifest --manifest=/dev/zero fails at the size limit instead of reading forever", () => {
    const r = actool(["patch-manifest", "--manifest=/dev/zero", path("greeter.aci"), path("zero.aci")]);
    expect(r).toMatchObject({ exitCode: 1, stderr: "actool patch-manifest: read /dev/zero: larger than the 4 MiB allowed\n" });
    expect(existsSync(path("zero.aci"))).toBe(false);
  });
});

describe("multicall actool", () => {
  const bin = path("bin");

  beforeAll(() => {
    mkdirSync(bin);
    symlinkSync(rktBinary, join(bin, "actool"));
  });

  function asActool(args: string[]): RunResult {
    const proc = Bun.spawnSync([join(bin, "actool"), ...args], { stdin: "ignore" });
    return { exitCode: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
  }

  test("a binary named actool answers actool's commands at the top level", () => {
    const help = asActool(["--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("actool - actool, the App Container tool");
    expect(help.stdout).toContain("patch-manifest");
    const r = asActool(["--debug", "validate", path("greeter.aci")]);
    expect(r).toMatchObject({ exitCode: 0, stderr: `${path("greeter.aci")}: valid app container image\n` });
    const cat = asActool(["cat-manifest", path("greeter.aci")]);
    expect(JSON.parse(cat.stdout).name).toBe("example.com/greeter");
  });

  test("version prints the appc version it implements, as actool and as rkt actool", () => {
    expect(asActool(["version"])).toEqual({ exitCode: 0, stdout: "actool version 0.6.1\n", stderr: "" });
    expect(rkt(path("data"), ["actool", "version"]).stdout).toBe("actool version 0.6.1\n");
  });

  test("errors are prefixed with the command as actool names it", () => {
    const r = asActool(["cat-manifest", path("nope.aci")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toStartWith("cat-manifest: ");
  });
});
