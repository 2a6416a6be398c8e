// A pod is its directory: `pods/<dir-state>/<uuid>`. The directory it lives in and
// whether it is locked make its state (rkt-internals §4); transitions are renames.
import { mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { isUuid, newUuid } from "../appc/uuid";
import { FileLock, fsyncDir } from "../sys";
import { LISTED_DIR_STATES, POD_DIR_STATES, podsDir, podState, type PodDirState, type PodState } from "./pod-state";

export { LISTED_DIR_STATES, POD_DIR_STATES, podsDir, podState, type PodDirState, type PodState } from "./pod-state";

function stateDir(dataDir: string, dirState: PodDirState): string {
  return join(podsDir(dataDir), dirState);
}

export class Pod {
  /** Held while this process owns the pod (creating, preparing, running, deleting). */
  private heldLock: FileLock | undefined;

  private constructor(
    readonly dataDir: string,
    readonly uuid: string,
    private dirStateValue: PodDirState,
  ) {}

  get dirState(): PodDirState {
    return this.dirStateValue;
  }

  get path(): string {
    return join(stateDir(this.dataDir, this.dirStateValue), this.uuid);
  }

  /** The open descriptor of the held lock, handed to stage1 as RKT_LOCK_FD. */
  get lockFd(): number | undefined {
    return this.heldLock?.fd;
  }

  /**
   * A new pod: made in `embryo/`, exclusively locked, moved to `prepare/`; that move is
   * synced only for a `durable` pod (see PrepareRequest.durable).
   */
  static create(dataDir: string, opts: { durable: boolean } = { durable: true }): Pod {
    for (const s of POD_DIR_STATES) mkdirSync(stateDir(dataDir, s), { recursive: true, mode: 0o700 });
    const pod = new Pod(dataDir, newUuid(), "embryo");
    mkdirSync(pod.path, { mode: 0o700 });
    pod.heldLock = FileLock.openDir(pod.path);
    pod.heldLock.lock("exclusive");
    pod.moveTo("prepare", { syncParent: opts.durable });
    return pod;
  }

  /** Finds a pod by its full UUID, in rkt's lookup order. */
  static load(dataDir: string, uuid: string): Pod {
    for (const s of POD_DIR_STATES) {
      try {
        statSync(join(stateDir(dataDir, s), uuid));
        return new Pod(dataDir, uuid, s);
      } catch {
        // not in this state directory
      }
    }
    throw new Error(`pod "${uuid}" not found`);
  }

  /** Every pod in the given state directories, sorted by UUID; entries not named by a UUID are skipped. */
  static list(dataDir: string, dirStates: readonly PodDirState[] = POD_DIR_STATES): Pod[] {
    // Keyed by UUID: a pod renamed forward between two readdirs shows in both, and the
    // later state (read later, in lifecycle order) is the one it is in.
    const pods = new Map<string, Pod>();
    for (const s of dirStates) {
      let names: string[];
      try {
        names = readdirSync(stateDir(dataDir, s));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // created on first use
        throw err;
      }
      // Anything else under pods/ is not rkt's to list, run or delete.
      for (const uuid of names.filter(isUuid)) pods.set(uuid, new Pod(dataDir, uuid, s));
    }
    // By code unit, not localeCompare: its first call sets up ICU's collator (~10 ms).
    return [...pods.values()].sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
  }

  /**
   * Resolves a UUID or a unique prefix of it (case-insensitive) among the pods that
   * commands may name (rkt-cli §3.6).
   */
  static resolve(dataDir: string, prefix: string): Pod {
    const wanted = prefix.toLowerCase();
    const matches = Pod.list(dataDir, LISTED_DIR_STATES).filter((p) => p.uuid.startsWith(wanted));
    if (matches.length === 0) throw new Error(`Unable to resolve UUID: no matches found for "${prefix}" (see 'rkt list --full')`);
    if (matches.length > 1) throw new Error(`Unable to resolve UUID: "${prefix}" is ambiguous, ${matches.length} pods match: give more of the UUID (see 'rkt list --full')`);
    return matches[0]!;
  }

  /** True when some process holds this pod's directory exclusively. */
  isLockedElsewhere(): boolean {
    if (this.heldLock) return false;
    let probe: FileLock;
    try {
      probe = FileLock.openDir(this.path);
    } catch {
      return false;
    }
    try {
      return !probe.tryLock("shared");
    } finally {
      probe.close();
    }
  }

  /** The state rkt reports, from the directory and the lock (rkt-internals §4.1). */
  state(): PodState {
    return podState(this.dirStateValue, this.isLockedElsewhere() || this.heldLock !== undefined);
  }

  /**
   * Takes the pod's exclusive lock; returns false (without blocking) when another
   * process holds it, so gc and rm skip busy pods.
   */
  tryLockExclusive(): boolean {
    if (this.heldLock) return true;
    const lock = FileLock.openDir(this.path);
    if (!lock.tryLock("exclusive")) {
      lock.close();
      return false;
    }
    this.heldLock = lock;
    return true;
  }

  /** Waits until no process holds the pod exclusively (rkt status --wait). */
  waitUnlocked(): void {
    const lock = FileLock.openDir(this.path);
    try {
      lock.lock("shared");
    } finally {
      lock.close();
    }
  }

  releaseLock(): void {
    this.heldLock?.close();
    this.heldLock = undefined;
  }

  /**
   * Moves the pod to another state directory: one rename plus an fsync of the new
   * parent. With `syncParent: false` the caller fsyncs it later with syncStateDir, once
   * for many renames and before anything relies on them. A racing rename by another
   * process makes this throw ENOENT.
   */
  moveTo(next: PodDirState, opts: { syncParent?: boolean } = {}): void {
    const from = this.path;
    const parent = stateDir(this.dataDir, next);
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    renameSync(from, join(parent, this.uuid));
    this.dirStateValue = next;
    if (opts.syncParent !== false) fsyncDir(parent);
  }

  /** Makes renames into a state directory durable (see moveTo). */
  static syncStateDir(dataDir: string, dirState: PodDirState): void {
    fsyncDir(stateDir(dataDir, dirState));
  }

  /** Directory ctime: when gc marked the pod, or when it was last moved. */
  changedAt(): Date {
    return statSync(this.path).ctime;
  }
}
