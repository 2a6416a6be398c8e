// The app's `user` and `group` as numbers, resolved inside the app's own rootfs
// (appc.md §2.3): a name in its /etc/passwd or /etc/group first, else a decimal number,
// else `/path` = the owner of that file. Supplementary groups are the groups of
// /etc/group that list the user as a member.
import { lstatSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

export interface AppIds {
  uid: number;
  gid: number;
  /** Supplementary groups, the primary gid first. */
  groups: number[];
}

const MAX_SYMLINKS = 40;

/**
 * The host path of `path` inside `root`, following symlinks as if `root` were `/`, so
 * that neither `..` nor an absolute link target can leave the root. Undefined when a
 * component does not exist.
 */
export function resolveInRoot(root: string, path: string): string | undefined {
  const pending = path.split("/").filter((c) => c !== "" && c !== ".");
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const component = pending.shift()!;
    if (component === "..") {
      resolved.pop();
      continue;
    }
    const host = join(root, ...resolved, component);
    let stat;
    try {
      stat = lstatSync(host);
    } catch {
      return undefined;
    }
    if (!stat.isSymbolicLink()) {
      resolved.push(component);
      continue;
    }
    if (++links > MAX_SYMLINKS) return undefined;
    const target = readlinkSync(host);
    if (target.startsWith("/")) resolved.length = 0;
    pending.unshift(...target.split("/").filter((c) => c !== "" && c !== "."));
  }
  return join(root, ...resolved);
}

interface DbEntry {
  name: string;
  id: number;
  /** /etc/group: the member list; /etc/passwd: the primary gid. */
  fields: string[];
}

/** Lines of /etc/passwd or /etc/group as name, numeric id (third field) and the rest. */
function readIdDatabase(rootfs: string, file: string): DbEntry[] {
  const path = resolveInRoot(rootfs, file);
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const entries: DbEntry[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(":");
    const id = Number(fields[2]);
    if (fields.length < 3 || !Number.isInteger(id)) continue;
    entries.push({ name: fields[0]!, id, fields: fields.slice(3) });
  }
  return entries;
}

function resolveId(rootfs: string, value: string, db: DbEntry[], kind: "user" | "group", appName: string): number {
  const byName = db.find((e) => e.name === value);
  if (byName) return byName.id;
  if (/^\d+$/.test(value)) return Number(value);
  if (value.startsWith("/")) {
    const path = resolveInRoot(rootfs, value);
    if (!path) throw new Error(`app "${appName}": cannot resolve ${kind} "${value}": no such file in the image`);
    const st = lstatSync(path);
    return kind === "user" ? st.uid : st.gid;
  }
  const file = kind === "user" ? "/etc/passwd" : "/etc/group";
  throw new Error(`app "${appName}": cannot resolve ${kind} "${value}": not in the image's ${file}, not a number and not a /path`);
}

/** Resolves an app's user and group in its rootfs (the rendered tree, unshifted). */
export function resolveAppIds(rootfs: string, user: string, group: string, appName: string): AppIds {
  const passwd = readIdDatabase(rootfs, "/etc/passwd");
  const groupDb = readIdDatabase(rootfs, "/etc/group");
  const uid = resolveId(rootfs, user, passwd, "user", appName);
  const gid = resolveId(rootfs, group, groupDb, "group", appName);
  const userName = passwd.find((e) => e.name === user)?.name ?? passwd.find((e) => e.id === uid)?.name;
  const groups = [gid];
  if (userName !== undefined) {
    for (const g of groupDb) {
      const members = (g.fields[0] ?? "").split(",");
      if (members.includes(userName) && !groups.includes(g.id)) groups.push(g.id);
    }
  }
  return { uid, gid, groups };
}
