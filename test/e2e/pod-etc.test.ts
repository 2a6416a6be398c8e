// The apps' /etc/localtime, /etc/resolv.conf and /etc/hosts: the host's time zone, rkt
// 1.x's --dns, --dns-search, --dns-opt, --dns-domain and --hosts-entry on run, prepare and
// run-prepared, and the host's resolver for private-network pods when it is usable there.
// rkt runs in a private mount namespace of its own whose /etc files are the test's, so the
// host's are neither changed nor relied upon.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { busybox, imageManifest, makeTestAci, rktBinary, tempDataDir, tempDir, type RunResult } from "../support/harness";
import { busyboxImage, collectPods, shellApp } from "./run-fixtures";

const work = tempDir("rkt-etc-images-");
const data = tempDataDir("rkt-etc-");
afterAll(() => {
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

const TOKYO = "/usr/share/zoneinfo/Asia/Tokyo";
const HOST_RESOLV = "# the test host's\nnameserver 192.0.2.10\nsearch host.example\n";
const HOST_HOSTS = "127.0.0.1 localhost\n192.0.2.20 host-only-name\n";
const DEFAULT_HOSTS = "127.0.0.1 localhost localhost.localdomain localhost4 localhost4.localdomain4\n::1 localhost localhost.localdomain localhost6 localhost6.localdomain6\n";

interface HostEtc {
  localtime?: string;
  resolvConf?: string;
  hosts?: string;
}

/** Writes `content` into the work directory; returns its path. */
function workFile(name: string, content: string): string {
  const path = join(work.path, name);
  writeFileSync(path, content);
  return path;
}

/**
 * `rkt ARGS` in a private mount namespace whose /etc/localtime, /etc/resolv.conf and
 * /etc/hosts are bind mounts of the given files (the test's defaults unless overridden).
 */
function rktWithHostEtc(args: string[], host: HostEtc = {}): RunResult {
  const binds: [string, string][] = [
    [host.localtime ?? TOKYO, "/etc/localtime"],
    [host.resolvConf ?? workFile("host-resolv.conf", HOST_RESOLV), "/etc/resolv.conf"],
    [host.hosts ?? workFile("host-hosts", HOST_HOSTS), "/etc/hosts"],
  ];
  const script = `${binds.map((_, i) => `mount --bind "\${${2 * i + 1}}" "\${${2 * i + 2}}"`).join(" && ")} && shift ${2 * binds.length} && exec "$@"`;
  const proc = Bun.spawnSync(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", ...binds.flat(), rktBinary, `--dir=${data.path}`, "--insecure-skip-verify", ...args], { stdin: "ignore" });
  return { exitCode: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

let images: Record<string, string>;
/** A host directory that image symlinks point at; nothing may appear in it. */
let outside: string;
beforeAll(() => {
  outside = mkdtempSync(join(work.path, "outside-"));
  // Prints each /etc file named by its arguments, or "no FILE".
  const show = shellApp('for f in "$@"; do if test -e "/etc/$f"; then cat "/etc/$f"; else echo "no $f"; fi; done');
  images = {
    plain: busyboxImage(work.path, "example.com/etc-plain", show),
    own: busyboxImage(work.path, "example.com/etc-own", show, {
      files: { "etc/localtime": "image zone\n", "etc/resolv.conf": "nameserver 198.51.100.1\n", "etc/hosts": "198.51.100.2 image-name\n" },
    }),
    zone: busyboxImage(work.path, "example.com/etc-zone", { exec: ["/bin/busybox", "date", "+%Z"] }),
    // Only busybox: no /etc at all.
    bare: makeTestAci(work.path, "bare.aci", {
      manifest: imageManifest("example.com/etc-bare", { app: { user: "0", group: "0", ...show } }),
      copies: { "bin/busybox": busybox },
      symlinks: { "bin/sh": "busybox", "bin/cat": "busybox", "bin/test": "busybox", "bin/echo": "busybox" },
    }),
    // /etc/resolv.conf and /etc/hosts are symlinks that would lead out of the app root if followed from the host.
    escaping: makeTestAci(work.path, "escaping.aci", {
      manifest: imageManifest("example.com/etc-escaping", { app: { user: "0", group: "0", ...show } }),
      copies: { "bin/busybox": busybox },
      symlinks: {
        "bin/sh": "busybox",
        "bin/cat": "busybox",
        "bin/test": "busybox",
        "bin/echo": "busybox",
        "etc/resolv.conf": `/../../../../../../../../..${outside}/resolv.conf`,
        "etc/hosts": `../../../../../../../../..${outside}/hosts`,
      },
    }),
    writer: busyboxImage(work.path, "example.com/etc-writer", shellApp('for f in "$@"; do (echo x >> "/etc/$f") 2>/dev/null && echo "$f writable" || echo "$f read-only"; done')),
  };
});

/** `run` of IMAGE showing FILES; expects success and returns the app's output. */
function show(image: string, files: string[], flags: string[] = [], host: HostEtc = {}): string {
  const result = rktWithHostEtc(["run", "--mds-register=false", ...flags, image, "--", ...files], host);
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  return result.stdout;
}

describe("time zone", () => {
  test("an app sees the host's time zone", () => {
    const result = rktWithHostEtc(["run", "--mds-register=false", images.zone!]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("JST\n");
  });

  test("an image's own /etc/localtime is kept", () => {
    expect(show(images.own!, ["localtime"])).toBe("image zone\n");
  });

  test("the host's files are read-only in the app", () => {
    const result = rktWithHostEtc(["run", "--mds-register=false", images.writer!, "--", "localtime", "resolv.conf", "hosts"]);
    expect(result.stdout).toBe("localtime read-only\nresolv.conf read-only\nhosts read-only\n");
  });
});

describe("images without /etc or with symlinks there", () => {
  test("an image without /etc gets one with the host's files", () => {
    expect(show(images.bare!, ["resolv.conf", "hosts"])).toBe(HOST_RESOLV + HOST_HOSTS);
    const result = rktWithHostEtc(["run", "--mds-register=false", images.bare!, "--exec=/bin/test", "--", "-s", "/etc/localtime"]);
    expect(result.exitCode).toBe(0);
  });

  test("a symlink in the image is the image's own file, and a flag's file replaces it inside the app root", () => {
    expect(show(images.escaping!, ["resolv.conf", "hosts"])).toBe("no resolv.conf\nno hosts\n");
    expect(show(images.escaping!, ["resolv.conf", "hosts"], ["--dns=192.0.2.1", "--hosts-entry=192.0.2.2=inside"])).toBe(`# Generated by rkt run\n\nnameserver 192.0.2.1\n${DEFAULT_HOSTS}\n192.0.2.2 inside\n`);
    expect(existsSync(join(outside, "resolv.conf"))).toBe(false);
    expect(existsSync(join(outside, "hosts"))).toBe(false);
  });
});

describe("defaults without flags", () => {
  test("a host-network pod gets the host's resolv.conf and hosts", () => {
    expect(show(images.plain!, ["resolv.conf", "hosts"])).toBe(HOST_RESOLV + HOST_HOSTS);
  });

  test("an image's own resolv.conf and hosts are kept", () => {
    expect(show(images.own!, ["resolv.conf", "hosts"])).toBe("nameserver 198.51.100.1\n198.51.100.2 image-name\n");
    expect(show(images.own!, ["resolv.conf", "hosts"], ["--private-net=default-restricted"])).toBe("nameserver 198.51.100.1\n198.51.100.2 image-name\n");
  });

  test("a private-network pod gets the host's name servers it can reach, and rkt's default hosts", () => {
    const resolvConf = workFile("mixed-resolv.conf", "nameserver 127.0.0.53\nnameserver 192.0.2.53\nnameserver ::1\nsearch example.org\n");
    expect(show(images.plain!, ["resolv.conf", "hosts"], ["--private-net=default-restricted"], { resolvConf })).toBe("nameserver 192.0.2.53\nsearch example.org\n" + DEFAULT_HOSTS);
  });

  test("a private-network pod gets no resolv.conf from a host whose resolver is on loopback", () => {
    const resolvConf = workFile("loopback-resolv.conf", "nameserver 127.0.0.53\noptions edns0\n");
    expect(show(images.plain!, ["resolv.conf"], ["--private-net=default-restricted"], { resolvConf })).toBe("no resolv.conf\n");
  });
});

describe("--dns", () => {
  const generated = "# Generated by rkt run\n\nsearch example.com example.gov\nnameserver 8.8.8.8\nnameserver 2001:db8::1\noptions debug rotate\ndomain example.org\n";
  const flags = ["--dns=8.8.8.8", "--dns", "2001:db8::1", "--dns-domain=example.org", "--dns-opt=debug", "--dns-opt=rotate", "--dns-search=example.com", "--dns-search=example.gov"];

  test("name servers, search domains, options and domain make the resolv.conf of every app, over the image's", () => {
    expect(show(images.plain!, ["resolv.conf"], flags)).toBe(generated);
    expect(show(images.own!, ["resolv.conf"], flags)).toBe(generated);
  });

  test("--dns=host binds the host's resolv.conf over the image's", () => {
    expect(show(images.own!, ["resolv.conf"], ["--dns=host"])).toBe(HOST_RESOLV);
  });

  test("--dns=none gives no resolv.conf of rkt's: the image's is kept, none is made", () => {
    expect(show(images.own!, ["resolv.conf"], ["--dns=none"])).toBe("nameserver 198.51.100.1\n");
    expect(show(images.plain!, ["resolv.conf"], ["--dns=none"])).toBe("no resolv.conf\n");
    expect(show(images.plain!, ["resolv.conf"], ["--dns=none", "--private-net=default-restricted"])).toBe("no resolv.conf\n");
  });
});

describe("--hosts-entry", () => {
  test("entries follow rkt's default table, names grouped by address, over the image's hosts", () => {
    const flags = ["--hosts-entry=198.51.100.7=one,2001:db8::7=two", "--hosts-entry", "198.51.100.7=three"];
    expect(show(images.own!, ["hosts"], flags)).toBe(`${DEFAULT_HOSTS}\n198.51.100.7 one three\n2001:db8::7 two\n`);
  });

  test("--hosts-entry=host binds the host's hosts over the image's", () => {
    expect(show(images.own!, ["hosts"], ["--hosts-entry=host"])).toBe(HOST_HOSTS);
  });
});

describe("private users", () => {
  test("a --private-users pod gets the files too", () => {
    expect(show(images.plain!, ["resolv.conf"], ["--no-overlay", "--private-users", "--dns=192.0.2.9"])).toBe("# Generated by rkt run\n\nnameserver 192.0.2.9\n");
  });
});

describe("prepare and run-prepared", () => {
  function prepare(flags: string[]): string {
    const result = rktWithHostEtc(["prepare", "--quiet", ...flags, images.plain!, "--", "resolv.conf", "hosts"]);
    expect(result.exitCode).toBe(0);
    return result.stdout.trim();
  }

  test("run-prepared uses what prepare was given", () => {
    const uuid = prepare(["--dns=192.0.2.1", "--hosts-entry=192.0.2.2=prepared"]);
    const result = rktWithHostEtc(["run-prepared", "--mds-register=false", uuid]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`# Generated by rkt run\n\nnameserver 192.0.2.1\n${DEFAULT_HOSTS}\n192.0.2.2 prepared\n`);
  });

  test("run-prepared's --dns replaces prepare's and keeps prepare's hosts entries", () => {
    const uuid = prepare(["--dns=192.0.2.1", "--hosts-entry=192.0.2.2=prepared"]);
    const result = rktWithHostEtc(["run-prepared", "--mds-register=false", "--dns=192.0.2.3", "--dns-search=late.example", uuid]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`# Generated by rkt run\n\nsearch late.example\nnameserver 192.0.2.3\n${DEFAULT_HOSTS}\n192.0.2.2 prepared\n`);
  });

  test("run-prepared's --hosts-entry=host replaces prepare's entries", () => {
    const uuid = prepare(["--hosts-entry=192.0.2.2=prepared"]);
    const result = rktWithHostEtc(["run-prepared", "--mds-register=false", "--hosts-entry=host", uuid]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(HOST_RESOLV + HOST_HOSTS);
  });
});

describe("bad values are usage errors naming the flag", () => {
  const cases: [string[], string][] = [
    [["--dns=300.1.1.1"], '--dns: "300.1.1.1" is not an IPv4 or IPv6 address'],
    [["--dns=host", "--dns=192.0.2.1"], "--dns=host cannot be combined with other --dns, --dns-search, --dns-opt or --dns-domain values"],
    [["--dns=none", "--dns-search=a.example"], "--dns=none cannot be combined with other --dns, --dns-search, --dns-opt or --dns-domain values"],
    [["--dns-search=a b"], '--dns-search: "a b" must be one word, without blanks, \'#\' or \';\''],
    [["--dns-opt=ndots:1\n"], '--dns-opt: "ndots:1\\n" must not contain control characters (found U+000A)'],
    [["--hosts-entry=192.0.2.1=a\tb"], '--hosts-entry: "a\\tb" must not contain control characters (found U+0009)'],
    [["--hosts-entry=192.0.2.1=#comment"], '--hosts-entry: "#comment" must be one word, without blanks, \'#\' or \';\''],
    [["--hosts-entry=name-only"], '--hosts-entry: "name-only" is not IP=NAME or host'],
    [["--hosts-entry=999.0.0.1=x"], '--hosts-entry: "999.0.0.1" is not an IPv4 or IPv6 address'],
    [["--hosts-entry=host,192.0.2.1=x"], "--hosts-entry=host cannot be combined with IP=NAME entries"],
  ];
  for (const [flags, message] of cases) {
    test(`run ${flags.join(" ")}`, () => {
      const result = rktWithHostEtc(["run", ...flags, images.plain!]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toBe(`run: ${message}\n`);
    });
  }

  test("run-prepared checks its flags before it claims the pod", () => {
    const result = rktWithHostEtc(["run-prepared", "--mds-register=false", "--dns=nowhere", "00000000"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('run-prepared: --dns: "nowhere" is not an IPv4 or IPv6 address\n');
  });
});
