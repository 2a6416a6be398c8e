import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StoreIndex } from "../../../src/store/db";
import { StoreLayout } from "../../../src/store/layout";
import { CURRENT_DB_VERSION, migrations } from "../../../src/store/migrations";
import { FileLock } from "../../../src/sys";
import { tempDir } from "../../support/harness";

let dir: { path: string; cleanup: () => void };
let layout: StoreLayout;
let storeLock: FileLock;
const open: StoreIndex[] = [];

beforeEach(() => {
  dir = tempDir("rkt-store-db-");
  layout = new StoreLayout(dir.path);
  layout.create();
  storeLock = FileLock.openDir(layout.cas);
  storeLock.lock("shared");
});

afterEach(() => {
  for (const index of open.splice(0)) index.close();
  storeLock.close();
  dir.cleanup();
});

function openIndex(): StoreIndex {
  const index = StoreIndex.open(layout, storeLock);
  open.push(index);
  return index;
}

/** Writes a database at schema `version` by running the first `version` migrations by hand. */
function writeOldDatabase(version: number, fill?: (db: Database) => void): void {
  const db = new Database(layout.dbFile, { create: true });
  for (let i = 0; i < version; i++) migrations[i]!(db);
  db.run("UPDATE version SET version = ?", [version]);
  fill?.(db);
  db.close();
}

function columns(table: string): string[] {
  const db = new Database(layout.dbFile, { readonly: true });
  try {
    return db.query<{ name: string }, []>(`PRAGMA table_info(${table})`).all().map((c) => c.name);
  } finally {
    db.close();
  }
}

describe("store index schema", () => {
  test("a fresh store gets every table at the current version and no backup", () => {
    const index = openIndex();
    expect(index.version()).toBe(CURRENT_DB_VERSION);
    expect(columns("aciinfo")).toEqual(["blobkey", "appname", "importtime", "latest", "lastusedtime"]);
    expect(columns("remote")).toEqual(["aciurl", "sigurl", "etag", "blobkey", "cachemaxage", "downloadtime"]);
    expect(existsSync(layout.dbBackups)).toBe(false);
  });

  test("migrating an older schema keeps its rows and backs it up first", () => {
    writeOldDatabase(1, (db) => {
      db.run("INSERT INTO aciinfo VALUES ('sha512-aa', 'example.com/old', 1000, 0)");
      db.run("INSERT INTO remote VALUES ('https://x/a.aci', 'https://x/a.aci.asc', 'etag1', 'sha512-aa')");
    });
    const index = openIndex();
    expect(index.version()).toBe(CURRENT_DB_VERSION);
    expect(index.aciInfo("sha512-aa")).toMatchObject({ appName: "example.com/old", lastUsed: new Date(1000) });
    expect(index.remote("https://x/a.aci")).toMatchObject({ etag: "etag1", cacheMaxAge: 0 });
    const backup = new Database(join(layout.dbBackups, "0", "store.sqlite"), { readonly: true });
    try {
      expect(backup.query("SELECT version FROM version").get()).toEqual({ version: 1 });
      expect(backup.query("SELECT appname FROM aciinfo").all()).toEqual([{ appname: "example.com/old" }]);
    } finally {
      backup.close();
    }
  });

  test("backups rotate: 0 is the newest and at most five are kept", () => {
    for (let round = 1; round <= 7; round++) {
      writeOldDatabase(1, (db) => db.run(`INSERT INTO aciinfo VALUES ('sha512-${round}0', 'round', ${round}, 0)`));
      openIndex().close();
      open.pop();
      // Start the next round from an old schema again.
      for (const f of readdirSync(layout.dbDir)) rmSync(join(layout.dbDir, f));
    }
    expect(readdirSync(layout.dbBackups).sort()).toEqual(["0", "1", "2", "3", "4"]);
    const roundIn = (n: number) => {
      const db = new Database(join(layout.dbBackups, String(n), "store.sqlite"), { readonly: true });
      try {
        return db.query<{ importtime: number }, []>("SELECT importtime FROM aciinfo").get()!.importtime;
      } finally {
        db.close();
      }
    };
    expect([0, 1, 2, 3, 4].map(roundIn)).toEqual([7, 6, 5, 4, 3]);
  });

  test("a newer schema than this rkt knows is refused", () => {
    writeOldDatabase(CURRENT_DB_VERSION);
    const db = new Database(layout.dbFile);
    db.run("UPDATE version SET version = ?", [CURRENT_DB_VERSION + 1]);
    db.close();
    expect(() => openIndex()).toThrow(
      `Current store db version: ${CURRENT_DB_VERSION + 1} greater than the current rkt expected version: ${CURRENT_DB_VERSION} (${layout.dbFile} was written by a newer rkt: use that rkt, or another --dir)`,
    );
  });

  test("a store of rkt v0.8.0 (ql database) is refused with a clear message", () => {
    mkdirSync(layout.dbDir, { recursive: true });
    writeFileSync(join(layout.dbDir, "ql.db"), "not sqlite");
    expect(() => openIndex()).toThrow(/holds an image store of rkt v0\.8\.0 \(cas\/db\/ql\.db\)/);
  });
});

describe("store index files", () => {
  test("closing keeps the WAL and shared-memory files, emptied, for the next open", () => {
    const first = StoreIndex.open(layout, storeLock);
    const now = new Date();
    first.putAciInfo({ key: "sha512-ab", appName: "a", importTime: now, lastUsed: now, latest: false });
    first.close();
    const wal = statSync(`${layout.dbFile}-wal`);
    const shm = statSync(`${layout.dbFile}-shm`);
    expect(wal.size).toBe(0);
    const second = openIndex();
    expect(second.aciInfo("sha512-ab")?.appName).toBe("a");
    second.close();
    open.splice(0);
    expect(statSync(`${layout.dbFile}-wal`).ino).toBe(wal.ino);
    expect(statSync(`${layout.dbFile}-shm`).ino).toBe(shm.ino);
  });
});

describe("store index rows", () => {
  test("markUsed moves the last-used time of the named images only", () => {
    const index = openIndex();
    for (const key of ["sha512-aa", "sha512-bb"]) index.putAciInfo({ key, appName: key, importTime: new Date(1), latest: false, lastUsed: new Date(1) });
    index.markUsed(["sha512-aa"], new Date(5000));
    expect(index.allAciInfos().map((info) => [info.key, info.lastUsed.getTime()])).toEqual([["sha512-aa", 5000], ["sha512-bb", 1]]);
  });

  test("replacing an aciinfo row keeps one row per key", () => {
    const index = openIndex();
    index.putAciInfo({ key: "sha512-ab", appName: "a", importTime: new Date(1), latest: false, lastUsed: new Date(1) });
    index.putAciInfo({ key: "sha512-ab", appName: "a", importTime: new Date(2), latest: true, lastUsed: new Date(2) });
    expect(index.allAciInfos()).toEqual([{ key: "sha512-ab", appName: "a", importTime: new Date(2), latest: true, lastUsed: new Date(2) }]);
  });

  test("key prefixes match from the start of the key only", () => {
    const index = openIndex();
    for (const key of ["sha512-abc1", "sha512-abd2", "sha512-bab3"]) {
      index.putAciInfo({ key, appName: "x", importTime: new Date(), latest: false, lastUsed: new Date() });
    }
    expect(index.keysWithPrefix("sha512-ab").sort()).toEqual(["sha512-abc1", "sha512-abd2"]);
    expect(index.keysWithPrefix("sha512-ba")).toEqual(["sha512-bab3"]);
    expect(index.keysWithPrefix("sha512-ab%")).toEqual([]);
  });

  test("removing an image deletes its aciinfo and remote rows together", () => {
    const index = openIndex();
    index.putAciInfo({ key: "sha512-ab", appName: "a", importTime: new Date(), latest: false, lastUsed: new Date() });
    index.putRemote({ aciUrl: "https://h/a.aci", sigUrl: "", etag: "", key: "sha512-ab", cacheMaxAge: 60, downloadTime: new Date() });
    expect(index.removeImageRows("sha512-ab")).toBe(true);
    expect(index.aciInfo("sha512-ab")).toBeUndefined();
    expect(index.remote("https://h/a.aci")).toBeUndefined();
    expect(index.removeImageRows("sha512-ab")).toBe(false);
  });
});
