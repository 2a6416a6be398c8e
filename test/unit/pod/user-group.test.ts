import { afterAll, describe, expect, test } from "bun:test";
import { chownSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveAppIds, resolveInRoot } from "../../../src/pod/user-group";
import { tempDir } from "../../support/harness";

const root = tempDir("rkt-ids-");
afterAll(root.cleanup);
const rootfs = join(root.path, "rootfs");
mkdirSync(join(rootfs, "etc"), { recursive: true });
writeFileSync(join(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nweb:x:1000:1000::/srv:/bin/sh\n# comment\n");
writeFileSync(join(rootfs, "etc/group"), "root:x:0:\nweb:x:1000:\nwheel:x:10:admin,web\naudio:x:29:web\nother:x:30:admin\n");
mkdirSync(join(rootfs, "srv"));
writeFileSync(join(rootfs, "srv/owned"), "");
chownSync(join(rootfs, "srv/owned"), 4242, 4343);
symlinkSync("/srv/owned", join(rootfs, "link"));
symlinkSync("../../../../../../etc", join(rootfs, "escape"));

describe("app user and group", () => {
  test("names come from the image's /etc/passwd and /etc/group, with the user's groups", () => {
    expect(resolveAppIds(rootfs, "web", "web", "a")).toEqual({ uid: 1000, gid: 1000, groups: [1000, 10, 29] });
  });

  test("numbers are used as they are, and find the user's groups by uid", () => {
    expect(resolveAppIds(rootfs, "1000", "5", "a")).toEqual({ uid: 1000, gid: 5, groups: [5, 10, 29] });
    expect(resolveAppIds(rootfs, "0", "0", "a")).toEqual({ uid: 0, gid: 0, groups: [0] });
  });

  test("a /path means that file's owner, symlinks followed inside the rootfs", () => {
    expect(resolveAppIds(rootfs, "/srv/owned", "/link", "a")).toEqual({ uid: 4242, gid: 4343, groups: [4343] });
  });

  test("an unknown name is an error naming the app", () => {
    expect(() => resolveAppIds(rootfs, "nobody", "0", "web")).toThrow('app "web": cannot resolve user "nobody"');
  });

  test("symlinks cannot lead out of the root", () => {
    expect(resolveInRoot(rootfs, "/escape/passwd")).toBe(join(rootfs, "etc/passwd"));
  });
});
