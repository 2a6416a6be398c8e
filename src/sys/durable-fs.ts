// Durable file updates: data is fsynced before it is renamed into place, and the
// directory holding a new name is fsynced after, so a crash leaves either the old state
// or the new one. Used by the store and by pod state transitions.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync, constants } from "node:fs";
import { dirname } from "node:path";
import { syncfs } from "./libc";

export function fsyncDir(path: string): void {
  const fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Creates `dir` (and missing parents) so that its name survives a crash. */
export function mkdirDurably(dir: string): void {
  const firstCreated = mkdirSync(dir, { recursive: true });
  if (firstCreated) fsyncDir(dirname(firstCreated));
}

/** Writes `data` to `tempPath` (same filesystem as `finalPath`), fsyncs, renames into place. */
export function writeFileDurably(tempPath: string, finalPath: string, data: string | Uint8Array, mode = 0o644): void {
  const fd = openSync(tempPath, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, mode);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tempPath, finalPath);
}

/** One syncfs(2) for the filesystem holding `dir`, instead of an fsync per file. */
export function syncFilesystemOf(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    syncfs(fd, dir);
  } finally {
    closeSync(fd);
  }
}
