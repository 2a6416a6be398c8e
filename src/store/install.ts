// `rkt install` (rkt-cli §3.13): make the data directory usable by members of group
// `rkt` for fetch and image commands, without root.
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { StoreLayout } from "./layout";
import { Store } from "./store";

const GROUP = "rkt";

/** The directories `rkt install` creates, relative to the data dir, with their modes. */
const DIRECTORIES: readonly [string, number][] = [
  [".", 0o755],
  ["tmp", 0o775],
  ["pods", 0o700],
  ["cas", 0o775],
  ["cas/db", 0o775],
  ["cas/imagelocks", 0o775],
  ["cas/blob", 0o775],
  ["cas/blob/sha512", 0o775],
  ["cas/treestorelocks", 0o775],
  ["cas/tree", 0o775],
  ["cas/imageManifest", 0o775],
  ["cas/imageManifest/sha512", 0o775],
];

/** The gid of `name` in /etc/group (or `groupFile`). */
export function lookupGroupId(name: string, groupFile = "/etc/group"): number {
  for (const line of readFileSync(groupFile, "utf8").split("\n")) {
    const [group, , gid] = line.split(":");
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  throw new Error(`error looking up ${name} gid: "${name}" group not found`);
}

export function installDataDir(dataDir: string, opts: { groupFile?: string } = {}): void {
  const gid = lookupGroupId(GROUP, opts.groupFile);
  const own = (path: string, mode: number): void => {
    chownSync(path, 0, gid);
    chmodSync(path, mode);
  };
  for (const [dir, mode] of DIRECTORIES) {
    const path = join(dataDir, dir);
    mkdirSync(path, { recursive: true, mode });
    own(path, mode);
  }
  const layout = new StoreLayout(dataDir);
  Store.open(dataDir).close(); // creates the database files
  shareDirectories(layout.cas, layout.trees, (dir) => own(dir, 0o775));
  for (const name of readdirSync(layout.dbDir)) {
    const path = join(layout.dbDir, name);
    if (lstatSync(path).isFile()) own(path, 0o664);
  }
}

/**
 * Every directory under `root`, symlinks not followed. Rendered trees keep the modes of
 * their images: `cas/tree` itself is shared, nothing inside it.
 */
function shareDirectories(root: string, trees: string, apply: (dir: string) => void): void {
  apply(root);
  if (root === trees) return;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isDirectory()) shareDirectories(join(root, entry.name), trees, apply);
  }
}
