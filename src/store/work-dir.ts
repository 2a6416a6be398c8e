// Private scratch directories under `cas/tmp`, one per import, locked while in use. A
// process killed mid-import leaves its directory unlocked; the next import removes it.
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
      const lock = FileLock.openDir(path);
      lock.lock("exclusive");
      // A sweeper may have removed it between mkdtemp and lock: a removed dir has no links.
      if (fstatSync(lock.fd).nlink > 0) return new WorkDir(path, lock);
      lock.close();
    }
  }

  /** Removes the scratch directories of dead processes. */
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
