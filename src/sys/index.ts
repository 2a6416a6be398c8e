// The only module that touches bun:ffi: libc calls, locks and the native helper libraries.
export { SysError, readableErrorMessage } from "./sys-error";
export * as libc from "./libc";
export { FileLock, lockKeyFile, type LockMode } from "./lock";
export * as native from "./native";
export * as listLibrary from "./list-library";
export { fsyncDir, mkdirDurably, syncFilesystemOf, writeFileDurably } from "./durable-fs";
export { readFileBounded } from "./bounded-read";
export { withTemporary } from "./interrupt-cleanup";
export { SOCKET_ACTIVATION_VARIABLES, forgetPassedSockets, socketsPassedByServiceManager } from "./socket-activation";
