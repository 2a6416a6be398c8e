// Private scratch directories under `cas/tmp`, one per import, locked while in use. A
// process killed mid-import leaves its directory unlocked; the next Store.open removes it.
import { fstatSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FileLock } from "../sys";

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

  /** Removes the scratch directories of dead processes; never fails. */
  static sweep(tmpRoot: string): void {
    for (const name of readdirSync(tmpRoot)) {
      if (!name.startsWith("work-")) continue;
      let lock: FileLock;
      try {
        lock = FileLock.openDir(join(tmpRoot, name));
      } catch {
        continue; // removed meanwhile
      }
      try {
        if (lock.tryLock("exclusive")) rmSync(join(tmpRoot, name), { recursive: true, force: true });
      } catch {
        // Not ours to remove (another user's, in a shared store): left to a later sweep by its owner or root.
      } finally {
        lock.close();
      }
    }
  }

  remove(): void {
    try {
      rmSync(this.path, { recursive: true, force: true });
    } finally {
      this.lock.close();
    }
  }
}
