// The index schema, as numbered steps from an empty database. Step N brings the schema
// from version N-1 to N; a fresh store runs them all. The logical tables are rkt v0.8.0's
// (rkt-internals §2.3): times are milliseconds since the epoch, booleans 0/1.
import type { Database } from "bun:sqlite";

export type Migration = (db: Database) => void;

export const migrations: Migration[] = [
  // 1: the tables of rkt's first versioned schema.
  (db) => {
    db.run("CREATE TABLE version (version INTEGER NOT NULL)");
    db.run("INSERT INTO version (version) VALUES (0)");
    db.run(
      "CREATE TABLE aciinfo (blobkey TEXT NOT NULL PRIMARY KEY, appname TEXT NOT NULL, importtime INTEGER NOT NULL, latest INTEGER NOT NULL)",
    );
    db.run("CREATE INDEX aciinfo_appname ON aciinfo (appname)");
    db.run("CREATE TABLE remote (aciurl TEXT NOT NULL PRIMARY KEY, sigurl TEXT NOT NULL, etag TEXT NOT NULL, blobkey TEXT NOT NULL)");
  },
  // 2: HTTP cache metadata per ACI URL. rkt's own step named the column `downloadedtime`
  // while fresh stores said `downloadtime`; here both paths give `downloadtime`.
  (db) => {
    db.run("ALTER TABLE remote ADD COLUMN cachemaxage INTEGER NOT NULL DEFAULT 0");
    db.run("ALTER TABLE remote ADD COLUMN downloadtime INTEGER NOT NULL DEFAULT 0");
  },
  // 3: when each image was last used (imported, fetched, or chosen by a pod), for
  // `rkt image gc`; rkt 1.x's column name. An image stored before counts as used at import.
  (db) => {
    db.run("ALTER TABLE aciinfo ADD COLUMN lastusedtime INTEGER NOT NULL DEFAULT 0");
    db.run("UPDATE aciinfo SET lastusedtime = importtime");
  },
  // 4: blobs are kept as they were received (gzip, bzip2, xz or plain tar) instead of as the
  // uncompressed tar. No table changes: the format is told by each blob's magic bytes, as
  // the native reader does for every file it opens, so a blob and a record of its format can
  // never disagree (an image re-imported in another compression keeps the blob it has), and
  // the blobs of earlier versions, all plain tars, stay valid as they are. The version still
  // moves so that an rkt of schema 3, which would read a compressed blob as a tar, refuses
  // this store instead; the upgrade is backed up like every other.
  () => {},
];

/** The schema version this rkt writes and reads. */
export const CURRENT_DB_VERSION = migrations.length;
