// The store index (rkt-internals §2.3) in bun:sqlite: which blobs are images, under what
// name, imported when, and the HTTP cache metadata of remote ACIs. WAL mode lets readers
// run beside a writer; every write transaction is also serialised across processes by an
// exclusive flock on `cas/db/`, as rkt did.
import type { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FileLock } from "../sys";
import { backupDatabase } from "./db-backup";
import type { StoreLayout } from "./layout";
import { CURRENT_DB_VERSION, migrations } from "./migrations";

export interface AciInfo {
  key: string;
  appName: string;
  importTime: Date;
  /** Imported by name without a version label (discovery's "latest"). */
  latest: boolean;
  /** Last imported or fetched (a pod's choice is its pod-use stamp, Store.lastUsed): `rkt image gc` keeps what was used within its grace period. */
  lastUsed: Date;
}

export interface RemoteInfo {
  aciUrl: string;
  sigUrl: string;
  etag: string;
  key: string;
  /** Seconds the download stays fresh (Cache-Control max-age). */
  cacheMaxAge: number;
  downloadTime: Date;
}

interface AciInfoRow {
  blobkey: string;
  appname: string;
  importtime: number;
  latest: number;
  lastusedtime: number;
}

interface RemoteRow {
  aciurl: string;
  sigurl: string;
  etag: string;
  blobkey: string;
  cachemaxage: number;
  downloadtime: number;
}

const BUSY_TIMEOUT_MS = 60_000;

/** SQLite's "attempt to write a readonly database" names no file: say which, in the words of a failed write. */
function withDatabasePath(err: unknown, path: string): unknown {
  return (err as { code?: string }).code === "SQLITE_READONLY" ? new Error(`write ${path}: Permission denied`) : err;
}

const SYNCED_COMMITS = "PRAGMA synchronous = FULL";

/**
 * bun:sqlite, loaded when an index is first opened: a start from rendered images opens
 * none (rendered-lookup.ts), and evaluating the module cost it about 1 ms.
 */
function sqliteModule(): typeof import("bun:sqlite") {
  return import.meta.require("bun:sqlite");
}

export class StoreIndex {
  private constructor(
    private readonly db: Database,
    private readonly dbDirLock: FileLock,
  ) {}

  /**
   * Opens (creating or migrating) the index. `storeLock` is the caller's shared lock on
   * `cas/`; it is made exclusive while an existing index is backed up and migrated.
   */
  static open(layout: StoreLayout, storeLock: FileLock): StoreIndex {
    refuseQlDatabase(layout);
    const { Database, constants: sqlite } = sqliteModule();
    const db = new Database(layout.dbFile, { create: true, strict: true });
    const index = new StoreIndex(db, FileLock.openDir(layout.dbDir));
    try {
      db.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      // The last close still checkpoints, but keeps the -wal and -shm files instead of
      // deleting them, so the next start does not create both again (the WAL is truncated
      // to empty, journal_size_limit = 0).
      db.fileControl(sqlite.SQLITE_FCNTL_PERSIST_WAL, 1);
      db.run("PRAGMA journal_size_limit = 0");
      // Switching a new database to WAL fails at once, without a busy wait, while another
      // connection switches or writes it: the switch takes turns with the writers.
      index.holdingDbLock(() => db.run("PRAGMA journal_mode = WAL"));
      // Commits must survive power loss: removal deletes files right after its commit.
      db.run(SYNCED_COMMITS);
      index.migrate(layout, storeLock);
    } catch (err) {
      index.close();
      throw err;
    }
    return index;
  }

  close(): void {
    this.db.close();
    this.dbDirLock.close();
  }

  /** Schema version on disk; 0 for an empty database. */
  version(): number {
    const table = this.db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'version'").get();
    if (!table) return 0;
    const row = this.db.query<{ version: number }, []>("SELECT version FROM version").get();
    return row?.version ?? 0;
  }

  private migrate(layout: StoreLayout, storeLock: FileLock): void {
    const found = this.version();
    if (found > CURRENT_DB_VERSION) {
      throw new Error(
        `Current store db version: ${found} greater than the current rkt expected version: ${CURRENT_DB_VERSION} (${layout.dbFile} was written by a newer rkt: use that rkt, or another --dir)`,
      );
    }
    if (found === CURRENT_DB_VERSION) return;
    // An empty database has nothing to back up; concurrent creators are serialised by
    // the write transactions below, each re-reading the version.
    const upgrading = found > 0;
    if (upgrading) storeLock.lock("exclusive");
    try {
      if (upgrading && this.version() < CURRENT_DB_VERSION) backupDatabase(this.db, layout.dbBackups, "store.sqlite");
      for (let target = 1; target <= CURRENT_DB_VERSION; target++) {
        this.write(() => {
          if (this.version() >= target) return;
          migrations[target - 1]!(this.db);
          this.db.run("UPDATE version SET version = ?", [target]);
        });
      }
    } finally {
      if (upgrading) storeLock.lock("shared");
    }
  }

  /** Runs `fn` in one write transaction, holding the `cas/db` lock meanwhile. */
  write<T>(fn: () => T): T {
    return this.holdingDbLock(() => {
      this.db.run("BEGIN IMMEDIATE");
      try {
        const result = fn();
        this.db.run("COMMIT");
        return result;
      } catch (err) {
        this.db.run("ROLLBACK");
        throw withDatabasePath(err, this.db.filename);
      }
    });
  }

  private holdingDbLock<T>(fn: () => T): T {
    this.dbDirLock.lock("exclusive");
    try {
      return fn();
    } finally {
      this.dbDirLock.unlock();
    }
  }

  putAciInfo(info: AciInfo): void {
    this.write(() => {
      this.db.run("INSERT OR REPLACE INTO aciinfo (blobkey, appname, importtime, latest, lastusedtime) VALUES (?, ?, ?, ?, ?)", [
        info.key,
        info.appName,
        info.importTime.getTime(),
        info.latest ? 1 : 0,
        info.lastUsed.getTime(),
      ]);
    });
  }

  /**
   * Records that the images were used at `time`, in one transaction that is not synced:
   * every `rkt fetch` makes it, and a use time lost to a power cut (WAL stays consistent)
   * only lets `rkt image gc` count an image's grace period from its previous use; images
   * a pod names are kept by the pod's claim, not by this time. The closing checkpoint, or
   * the next synced commit, makes it durable.
   */
  markUsed(keys: readonly string[], time: Date): void {
    this.db.run("PRAGMA synchronous = NORMAL");
    try {
      this.write(() => {
        for (const key of keys) this.db.run("UPDATE aciinfo SET lastusedtime = ? WHERE blobkey = ?", [time.getTime(), key]);
      });
    } finally {
      this.db.run(SYNCED_COMMITS);
    }
  }

  aciInfo(key: string): AciInfo | undefined {
    const row = this.db.query<AciInfoRow, [string]>("SELECT * FROM aciinfo WHERE blobkey = ?").get(key);
    return row ? toAciInfo(row) : undefined;
  }

  aciInfosByName(name: string): AciInfo[] {
    return this.db.query<AciInfoRow, [string]>("SELECT * FROM aciinfo WHERE appname = ?").all(name).map(toAciInfo);
  }

  allAciInfos(): AciInfo[] {
    return this.db.query<AciInfoRow, []>("SELECT * FROM aciinfo").all().map(toAciInfo);
  }

  /** Keys starting with `prefix` (already lower-case and validated). */
  keysWithPrefix(prefix: string): string[] {
    return this.db
      .query<{ blobkey: string }, [string]>("SELECT blobkey FROM aciinfo WHERE substr(blobkey, 1, length(?1)) = ?1")
      .all(prefix)
      .map((r) => r.blobkey);
  }

  /** Deletes the image's aciinfo and remote rows together; false if it had no aciinfo row. */
  removeImageRows(key: string): boolean {
    return this.write(() => {
      const removed = this.db.run("DELETE FROM aciinfo WHERE blobkey = ?", [key]).changes > 0;
      this.db.run("DELETE FROM remote WHERE blobkey = ?", [key]);
      return removed;
    });
  }

  putRemote(info: RemoteInfo): void {
    this.write(() => {
      this.db.run(
        "INSERT OR REPLACE INTO remote (aciurl, sigurl, etag, blobkey, cachemaxage, downloadtime) VALUES (?, ?, ?, ?, ?, ?)",
        [info.aciUrl, info.sigUrl, info.etag, info.key, info.cacheMaxAge, info.downloadTime.getTime()],
      );
    });
  }

  remote(aciUrl: string): RemoteInfo | undefined {
    const row = this.db.query<RemoteRow, [string]>("SELECT * FROM remote WHERE aciurl = ?").get(aciUrl);
    if (!row) return undefined;
    return {
      aciUrl: row.aciurl,
      sigUrl: row.sigurl,
      etag: row.etag,
      key: row.blobkey,
      cacheMaxAge: row.cachemaxage,
      downloadTime: new Date(row.downloadtime),
    };
  }
}

function toAciInfo(row: AciInfoRow): AciInfo {
  return { key: row.blobkey, appName: row.appname, importTime: new Date(row.importtime), latest: row.latest !== 0, lastUsed: new Date(row.lastusedtime) };
}

function refuseQlDatabase(layout: StoreLayout): void {
  if (existsSync(join(layout.dbDir, "ql.db"))) {
    throw new Error(
      `${layout.cas} holds an image store of rkt v0.8.0 (cas/db/ql.db), which this rkt cannot read; move ${layout.cas} away and fetch the images again`,
    );
  }
}
