// What the bindings of both native libraries share (src/sys/native.ts, src/sys/list-library.ts):
// opening a library embedded in the executable, and turning a failed call's struct
// rkt_error (native/error.h) into a SysError or an Error.
import { dlopen, type FFIFunction, type Library } from "bun:ffi";
import { memfdWith } from "./libc";
import { SysError } from "./sys-error";

/**
 * The library of `bytes` (an embedded file's), through a memfd: dlopen wants a file, and
 * embedded assets are not on disk. The memfd stays open for the life of the process: the
 * mapping needs no path, but keeping the fd costs nothing and keeps /proc/self/fd/N
 * meaningful for debugging.
 */
export function openEmbedded<Fns extends Record<string, FFIFunction>>(bytes: Uint8Array, name: string, syms: Fns): Library<Fns>["symbols"] {
  return dlopen(`/proc/self/fd/${memfdWith(name, bytes)}`, syms).symbols;
}

// struct rkt_error in native/error.h.
const ERROR_SIZE = 8 + 256 + 4096 + 512;
const OP_OFFSET = 8;
const PATH_OFFSET = OP_OFFSET + 256;
const DETAIL_OFFSET = PATH_OFFSET + 4096;

export function readCString(buf: Buffer, offset: number, size: number): string {
  const end = buf.indexOf(0, offset);
  return buf.toString("utf8", offset, end < 0 || end > offset + size ? offset + size : end);
}

/** Runs a native call with a fresh error buffer; a failure becomes a SysError or an Error. */
export function call(run: (err: Buffer) => number): void {
  const err = Buffer.alloc(ERROR_SIZE);
  if (run(err) === 0) return;
  const code = err.readInt32LE(0);
  const op = readCString(err, OP_OFFSET, 256);
  const path = readCString(err, PATH_OFFSET, 4096);
  if (code > 0) throw new SysError(op, path, code);
  throw new Error(`${op} ${path}: ${readCString(err, DETAIL_OFFSET, 512)}`);
}
