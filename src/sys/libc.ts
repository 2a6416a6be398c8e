// The libc calls stage0 needs that Node's fs/process do not offer. Every call goes
// through `check`, which turns a -1 return into a SysError naming the call and object.
import { dlopen, FFIType, ptr, read, type Pointer } from "bun:ffi";
import { SysError } from "./sys-error";

const { i32, i64, u32, u64, ptr: pointer } = FFIType;

const libc = dlopen("libc.so.6", {
  __errno_location: { args: [], returns: pointer },
  flock: { args: [i32, i32], returns: i32 },
  fcntl: { args: [i32, i32, i32], returns: i32 },
  execve: { args: [pointer, pointer, pointer], returns: i32 },
  mount: { args: [pointer, pointer, pointer, u64, pointer], returns: i32 },
  umount2: { args: [pointer, i32], returns: i32 },
  syncfs: { args: [i32], returns: i32 },
  memfd_create: { args: [pointer, u32], returns: i32 },
  write: { args: [i32, pointer, u64], returns: i64 },
  llistxattr: { args: [pointer, pointer, u64], returns: i64 },
  lgetxattr: { args: [pointer, pointer, pointer, u64], returns: i64 },
  free: { args: [pointer], returns: "void" },
});

const fn = libc.symbols;

const EINTR = 4;
const EIO = 5;

function errno(): number {
  return read.i32(fn.__errno_location() as Pointer, 0);
}

function check(ret: number, op: string, object: string): number {
  if (ret === -1) throw new SysError(op, object, errno());
  return ret;
}

/** NUL-terminated copy of a JS string, kept alive by the caller's reference. */
export function cString(s: string): Buffer {
  return Buffer.from(s + "\0");
}

export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

/**
 * flock(2). Returns false when LOCK_NB was given and the lock is held elsewhere.
 */
export function flock(fd: number, operation: number, what: string): boolean {
  const ret = fn.flock(fd, operation);
  if (ret === -1) {
    const e = errno();
    if ((operation & LOCK_NB) !== 0 && e === 11 /* EWOULDBLOCK */) return false;
    throw new SysError("flock", what, e);
  }
  return true;
}

const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;

/** Keep `fd` open across execve (stage0 hands the pod lock to stage1 this way). */
export function clearCloseOnExec(fd: number, what: string): void {
  const flags = check(fn.fcntl(fd, F_GETFD, 0), "fcntl", what);
  check(fn.fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC), "fcntl", what);
}

export function syncfs(fd: number, what: string): void {
  check(fn.syncfs(fd), "syncfs", what);
}

export const MNT_DETACH = 2;

export function mount(source: string, target: string, fstype: string, flags: number, data: string): void {
  const s = cString(source), t = cString(target), f = cString(fstype), d = cString(data);
  check(fn.mount(ptr(s), ptr(t), ptr(f), flags, data ? ptr(d) : null), `mount ${fstype}`, target);
}

/** umount2(2) with its flags (MNT_DETACH for a lazy unmount). */
export function umount(target: string, flags: number): void {
  const t = cString(target);
  check(fn.umount2(ptr(t), flags), "umount", target);
}

/** Frees what a native library allocated with libc's malloc. */
export function free(p: Pointer): void {
  fn.free(p);
}

/** A memfd holding `bytes`, e.g. a library for dlopen; without node:fs, whose loading costs `rkt list` 3 ms. */
export function memfdWith(name: string, bytes: Uint8Array): number {
  const n = cString(name);
  const fd = check(fn.memfd_create(ptr(n), 1 /* MFD_CLOEXEC */), "memfd_create", name);
  for (let done = 0; done < bytes.length; ) {
    const written = Number(fn.write(fd, ptr(bytes, done), bytes.length - done));
    if (written > 0) done += written;
    else if (written === 0 || errno() !== EINTR) throw new SysError("write", name, written === 0 ? EIO : errno());
  }
  return fd;
}

/** A NULL-terminated array of C strings, as execve wants for argv and envp. */
function cStringArray(items: string[]): { array: BigUint64Array; keep: Buffer[] } {
  const keep = items.map(cString);
  const array = new BigUint64Array(items.length + 1);
  keep.forEach((b, i) => (array[i] = BigInt(ptr(b))));
  return { array, keep };
}

/**
 * Replace this process with `path`. Only returns by throwing: the Bun process is gone
 * once the call succeeds, which is how stage0 hands a pod to stage1.
 */
export function execve(path: string, argv: string[], env: Record<string, string>): never {
  const p = cString(path);
  const a = cStringArray(argv);
  const e = cStringArray(Object.entries(env).map(([k, v]) => `${k}=${v}`));
  fn.execve(ptr(p), ptr(a.array), ptr(e.array));
  const failure = errno();
  void a.keep, e.keep;
  throw new SysError("execve", path, failure);
}

const ENODATA = 61;
const ENOTSUP = 95;

/** A path's extended attributes, not following a symlink; none where the file system has none. */
export function readXattrs(path: string): Record<string, Uint8Array> {
  const p = cString(path);
  const listSize = Number(fn.llistxattr(ptr(p), null, 0));
  if (listSize === -1) {
    if (errno() === ENOTSUP) return {};
    throw new SysError("llistxattr", path, errno());
  }
  if (listSize === 0) return {};
  const list = Buffer.alloc(listSize);
  const listed = Number(fn.llistxattr(ptr(p), ptr(list), listSize));
  if (listed === -1) throw new SysError("llistxattr", path, errno());
  const xattrs: Record<string, Uint8Array> = {};
  for (const name of list.subarray(0, listed).toString("latin1").split("\0").filter(Boolean)) {
    const n = cString(name);
    const size = Number(fn.lgetxattr(ptr(p), ptr(n), null, 0));
    if (size === -1 && errno() === ENODATA) continue;
    if (size === -1) throw new SysError("lgetxattr", `${path} (${name})`, errno());
    const value = Buffer.alloc(Math.max(size, 1));
    const got = Number(fn.lgetxattr(ptr(p), ptr(n), ptr(value), size));
    if (got === -1) throw new SysError("lgetxattr", `${path} (${name})`, errno());
    xattrs[name] = value.subarray(0, got);
  }
  return xattrs;
}
