// Shared set-up for the native library tests: a sandbox with the extraction root and a
// sibling "outside" directory that no archive may touch, and helpers to run tar.
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../support/harness";
import { tarArchive, type TarEntrySpec } from "./tar-builder";

export interface Sandbox {
  dir: string;
  root: string;
  outside: string;
  victim: string;
  cleanup: () => void;
}

export function sandbox(): Sandbox {
  const t = tempDir("rkt-native-");
  const root = join(t.path, "root");
  const outside = join(t.path, "outside");
  mkdirSync(root);
  mkdirSync(outside);
  const victim = join(outside, "victim");
  writeFileSync(victim, "original\n");
  return { dir: t.path, root, outside, victim, cleanup: t.cleanup };
}

/** Writes an archive built from entry specs into the sandbox and returns its path. */
export function writeArchive(box: Sandbox, entries: TarEntrySpec[], name = "evil.tar"): string {
  const path = join(box.dir, name);
  writeFileSync(path, tarArchive(entries));
  return path;
}

/** Every name below dir with type, mode, owner, size, link target and content: a fingerprint. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = join(dir, rel, name);
      const st = lstatSync(path);
      let detail = "";
      if (st.isSymbolicLink()) detail = `-> ${readlinkSync(path)}`;
      else if (st.isFile()) detail = readFileSync(path, "utf8");
      out.push(`${join(rel, name)} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.size} ${detail}`);
      if (st.isDirectory()) walk(join(rel, name));
    }
  };
  walk("");
  return out;
}

export function run(cmd: string[], cwd?: string): string {
  const p = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed: ${p.stderr.toString()}`);
  return p.stdout.toString();
}

/** The PAX xattr records tar writes for path (relative to dir): how tests read xattrs. */
export function xattrsOf(dir: string, rel: string): string[] {
  const archive = Bun.spawnSync(["tar", "--xattrs", "--xattrs-include=*", "--no-recursion", "-C", dir, "-cf", "-", rel]);
  return [...archive.stdout.toString("latin1").matchAll(/SCHILY\.xattr\.([^=]+)=([^\n]*)\n/g)].map((m) => `${m[1]}=${m[2]}`).sort();
}
