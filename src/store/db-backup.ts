// Copies of the index taken before a migration, rotated as rkt did: `db-backups/0` is the
// newest, at most five are kept. The caller holds the exclusive store lock.
import type { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

const KEPT = 5;

export function backupDatabase(db: Database, backupsDir: string, fileName: string): void {
  const staging = join(backupsDir, "tmp");
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // VACUUM INTO writes a consistent copy, WAL contents included.
  db.run("VACUUM INTO ?", [join(staging, fileName)]);
  for (const name of readdirSync(backupsDir)) {
    if (/^\d+$/.test(name) && Number(name) >= KEPT - 1) rmSync(join(backupsDir, name), { recursive: true, force: true });
  }
  for (let n = KEPT - 2; n >= 0; n--) {
    const from = join(backupsDir, String(n));
    if (existsSync(from)) renameSync(from, join(backupsDir, String(n + 1)));
  }
  renameSync(staging, join(backupsDir, "0"));
}
