// Private scratch directories under `cas/tmp`, one per import, locked while in use. A
// process killed mid-import leaves its directory unlocked; the next Store.open removes it.
import { closeSync, fstatSync, fsyncSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { FileLock, fsyncDir } from "../sys";

export class WorkDir {
  private constructor(
    readonly path: string,
    private readonly lock: FileLock,
  ) {}

  /** Creates and locks a fresh directory in `tmpRoot`. */
  static create(tmpRoot: string): WorkDir {
    for (;;) {
      const path = mkdtempSync(join(tmpRoot, "work-"));
      // A sweeper may remove it before we hold the lock: then it is gone by the open, or
      // it has no links left once we lock it.
      let lock: FileLock;
      try {
        lock = FileLock.openDir(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw err;
      }
      lock.lock("exclusive");
      if (fstatSync(lock.fd).nlink > 0) return new WorkDir(path, lock);
      lock.close();
    }
  }

  /**
   * Removes the scratch directories of dead processes; never fails. `beforeRemove` sees
   * each one first, under its lock (to undo what a killed fetch journaled there, so only
   * Store.open sweeps); if it throws, the directory is left for a later sweep.
   */
  static sweep(tmpRoot: string, beforeRemove: (dir: string) => void): void {
    for (const name of readdirSync(tmpRoot)) {
      if (!name.startsWith("work-")) continue;
      let lock: FileLock;
      try {
        lock = FileLock.openDir(join(tmpRoot, name));
      } catch {
        continue; // removed meanwhile
      }
      try {
        if (lock.tryLock("exclusive")) {
          beforeRemove(join(tmpRoot, name));
          rmSync(join(tmpRoot, name), { recursive: true, force: true });
        }
      } catch {
        // Not ours to remove (another user's, in a shared store), or not undone yet: left to a later sweep.
      } finally {
        lock.close();
      }
    }
  }

  /** Appends a line to the file `name` in the directory and makes it durable before returning. */
  appendLine(name: string, line: string): void {
    const fd = openSync(join(this.path, name), "a", 0o600);
    try {
      writeSync(fd, `${line}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    fsyncDir(this.path);
  }

  remove(): void {
    try {
      rmSync(this.path, { recursive: true, force: true });
    } finally {
      this.lock.close();
    }
  }
}
