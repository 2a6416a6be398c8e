import { constants } from "node:os";

const errnoNames = new Map<number, string>(
  Object.entries(constants.errno).map(([name, code]) => [code as number, name]),
);

/** A failed system call: names the operation, the object it acted on and the errno. */
export class SysError extends Error {
  readonly code: string;
  constructor(
    readonly op: string,
    readonly path: string,
    readonly errno: number,
  ) {
    const code = errnoNames.get(errno) ?? `errno ${errno}`;
    super(`${op} ${path}: ${describeErrno(errno)}`);
    this.name = "SysError";
    this.code = code;
  }
}

const descriptions: Record<string, string> = {
  EPERM: "Operation not permitted",
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EEXIST: "File exists",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EINVAL: "Invalid argument",
  EBUSY: "Device or resource busy",
  EWOULDBLOCK: "Resource temporarily unavailable",
  EAGAIN: "Resource temporarily unavailable",
  ENOSPC: "No space left on device",
  EXDEV: "Invalid cross-device link",
  ELOOP: "Too many levels of symbolic links",
  ENOSYS: "Function not implemented",
  ESRCH: "No such process",
  ENOMEM: "Cannot allocate memory",
  EROFS: "Read-only file system",
  ENOEXEC: "Exec format error",
};

function describeErrno(errno: number): string {
  const code = errnoNames.get(errno);
  return (code && descriptions[code]) ?? code ?? `errno ${errno}`;
}

/** Node's fs errors read `EACCES: permission denied, scandir '/x'`, anywhere in a message. */
const nodeFsError = /\b(E[A-Z0-9]+): ([^,]+), (\w+) '([^']*)'(?: -> '([^']*)')?/g;

/** Node's names for the calls that mean nothing to a user. */
const nodeOperations: Record<string, string> = {
  scandir: "read directory",
  opendir: "read directory",
  copyfile: "copy",
  lstat: "stat",
  utime: "set times of",
  futime: "set times of",
  posix_spawn: "execute",
};

/**
 * `message` with Node's fs error text put in SysError's form (`read directory /x: Permission denied`),
 * so users see what failed on what, not Node's internals.
 */
export function readableErrorMessage(message: string): string {
  return message.replace(nodeFsError, (_whole, code: string, text: string, syscall: string, path: string, dest?: string) => {
    const operation = nodeOperations[syscall] ?? syscall;
    const object = dest !== undefined ? `${path} to ${dest}` : path;
    return `${operation} ${object}: ${descriptions[code] ?? text}`;
  });
}
