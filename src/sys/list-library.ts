// Bindings of `rkt list`'s own library, librktlist.so (native/build.ts): the pod scan and
// the list cache it reads, which prepare appends to and gc compacts. Nothing here loads
// node:fs, whose loading alone costs `rkt list` some 3 ms: the library's bytes are read
// with Bun.file, hence the asynchronous functions.
import { FFIType, toArrayBuffer, type Library, type Pointer } from "bun:ffi";
import listLibPath from "../../dist/build/librktlist.so" with { type: "file" };
import { cString, free } from "./libc";
import { call, openEmbedded } from "./native-call";

const { i32, i64, ptr } = FFIType;

const symbols = {
  rkt_pod_scan: { args: [ptr, ptr, i32, ptr, ptr], returns: i32 },
  rkt_list_cache_append: { args: [ptr, ptr, ptr, i64, ptr], returns: i32 },
  rkt_list_cache_compact: { args: [ptr, ptr, i32, ptr], returns: i32 },
} as const;

let loaded: Promise<Library<typeof symbols>["symbols"]> | undefined;

function lib(): Promise<Library<typeof symbols>["symbols"]> {
  return (loaded ??= Bun.file(listLibPath)
    .bytes()
    .then((bytes) => openEmbedded(bytes, "librktlist.so", symbols)));
}

export interface ScannedPod {
  /** The index of its state directory in the list given to scanPods. */
  stateIndex: number;
  name: string;
  /** Another process holds the pod's lock exclusively (a shared lock would block). */
  locked: boolean;
  /** The apps of `list-summary` (its cached copy, or the file), split into their three fields. */
  apps?: { name: string; imageName: string; imageId: string }[];
  /** The text of a `list-summary` that is not records of three fields, else the errno that kept it from being read, if it exists. */
  summary?: string;
  summaryErrno?: number;
  /** Only for a pod without `list-summary`: the text of `pod`, else the errno that kept it from being read. */
  manifest?: string;
  manifestErrno?: number;
  /** The text of `net-info.json`, for a locked pod that has one. */
  networks?: string;
}

/**
 * The pods in `stateDirs` below `podsDir`, sorted by name, with their lock and their
 * `list-summary` (from the list cache, else the file; else `pod`) and `net-info.json`
 * files, read in one native call (native/pod_scan.c). Only names that are UUIDs are
 * taken; a pod met in two state directories is taken in the later one; a missing state
 * directory is skipped.
 */
export async function scanPods(podsDir: string, stateDirs: readonly string[]): Promise<ScannedPod[]> {
  const library = await lib();
  const blob = Buffer.alloc(16);
  const dir = cString(podsDir);
  const states = stateDirList(stateDirs);
  call((err) => library.rkt_pod_scan(dir, states, stateDirs.length, blob, err));
  const data = Number(blob.readBigUInt64LE(0)) as Pointer;
  try {
    return JSON.parse(Buffer.from(toArrayBuffer(data, 0, Number(blob.readBigInt64LE(8)))).toString("utf8")) as ScannedPod[];
  } finally {
    free(data); // the list library allocates with libc's malloc
  }
}

function stateDirList(stateDirs: readonly string[]): Buffer {
  return Buffer.from(stateDirs.map((s) => s + "\0").join(""));
}

/**
 * Appends the record of the pod directory `podDir` and its list summary to the list cache
 * of `podsDir` (native/list_cache.c), which scanPods then reads instead of the pod's file.
 */
export async function appendListCache(podsDir: string, podDir: string, summary: Buffer): Promise<void> {
  const library = await lib();
  const dir = cString(podsDir);
  const pod = cString(podDir);
  call((err) => library.rkt_list_cache_append(dir, pod, summary, summary.length, err));
}

/** Rewrites the list cache of `podsDir` with only the records of the pods still in `stateDirs`. */
export async function compactListCache(podsDir: string, stateDirs: readonly string[]): Promise<void> {
  const library = await lib();
  const dir = cString(podsDir);
  const states = stateDirList(stateDirs);
  call((err) => library.rkt_list_cache_compact(dir, states, stateDirs.length, err));
}
