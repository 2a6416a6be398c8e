// Advisory flock(2) locks on files and directories, as rkt used them for the store and
// for pods. A lock lives as long as its open file descriptor.
import { closeSync, fstatSync, mkdirSync, openSync, statSync, constants } from "node:fs";
import { dirname } from "node:path";
import { flock, LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN } from "./libc";

export type LockMode = "shared" | "exclusive";

export class FileLock {
  private constructor(
    readonly fd: number,
    readonly path: string,
  ) {}

  /** Opens a directory (it must exist) for locking. */
  static openDir(path: string): FileLock {
    return new FileLock(openSync(path, constants.O_RDONLY | constants.O_DIRECTORY), path);
  }

  /**
   * Opens (creating it) a lock file such as `cas/imagelocks/<key>`. After locking,
   * `lockKeyFile` re-checks that the path still names the locked inode.
   */
  static openFile(path: string): FileLock {
    mkdirSync(dirname(path), { recursive: true });
    return new FileLock(openSync(path, constants.O_RDONLY | constants.O_CREAT, 0o644), path);
  }

  /** Blocks until the lock is held. */
  lock(mode: LockMode): void {
    flock(this.fd, mode === "shared" ? LOCK_SH : LOCK_EX, this.path);
  }

  /** Returns false instead of blocking when another holder conflicts. */
  tryLock(mode: LockMode): boolean {
    return flock(this.fd, (mode === "shared" ? LOCK_SH : LOCK_EX) | LOCK_NB, this.path);
  }

  unlock(): void {
    flock(this.fd, LOCK_UN, this.path);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * Locks a per-key lock file, retrying when the file was replaced between open and lock
 * (a remover may unlink it), so the lock always guards the inode the path names.
 */
export function lockKeyFile(path: string, mode: LockMode, opts: { wait: boolean } = { wait: true }): FileLock | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    const lock = FileLock.openFile(path);
    const held = opts.wait ? (lock.lock(mode), true) : lock.tryLock(mode);
    if (!held) {
      lock.close();
      return undefined;
    }
    try {
      const onDisk = statSync(path);
      const locked = fstatSync(lock.fd);
      if (onDisk.ino === locked.ino && onDisk.dev === locked.dev) return lock;
    } catch {
      // The path vanished after we locked: try again with a fresh file.
    }
    lock.close();
  }
  throw new Error(`lock ${path}: the lock file keeps being replaced`);
}
