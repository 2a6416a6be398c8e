// Deleting one pod, shared by gc and rm (rkt-internals §6): under the pod's exclusive
// lock, run the stage1 gc entrypoint for a pod that ran, take down every mount below
// the pod directory, then remove the tree without following symlinks or entering a
// filesystem that is still mounted.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { StoreLayout } from "../store";
import { native, readableErrorMessage } from "../sys";
import { unmountBelow } from "./mounts";
import { unregisterFromMetadataService } from "./mds-registration";
import type { Pod } from "./pod";
import { readStage1Id } from "./pod-files";
import { entrypointAnnotation } from "./stage1-image";

const GC_ANNOTATION = entrypointAnnotation("gc");
const DEFAULT_GC_ENTRYPOINT = "/gc";

export interface DeleteOptions {
  debug: boolean;
  /** Where warnings go: a stage1 that cannot be found, a metadata service that cannot be told. */
  warn: (line: string) => void;
  /**
   * The host's mount points (readMountPoints), read once for a whole gc instead of per
   * pod: mounts below a pod are made before it exits, and the pods being deleted are
   * locked by the deleter, so none appear later. Read here when absent.
   */
  mountPoints?: readonly string[];
}

/**
 * Deletes a pod whose exclusive lock the caller holds. Throws when something fails; a
 * failed stage1 gc leaves the pod in place for the next gc.
 */
export function deletePod(pod: Pod, opts: DeleteOptions): void {
  if (pod.dirState === "exited-garbage") runStage1Gc(pod, opts);
  unregisterFromMetadataService(pod, opts.warn);
  try {
    const root = realpathSync(pod.path);
    unmountBelow(root, opts.mountPoints);
    // Refuses to cross into anything still mounted; symlinks are removed, not followed.
    native.removeTree(root);
  } catch (err) {
    throw new Error(`Unable to remove pod "${pod.uuid}": ${(err as Error).message}`);
  }
}

/**
 * The gc program: from the stage1 tree in the store, else from the pod's own copy.
 * Says why when there is none.
 */
function findStage1Gc(pod: Pod): { program: string } | { missing: string } {
  const stage1Id = readStage1Id(pod.path);
  if (!stage1Id) return { missing: "the pod has no stage1ID" };
  const tree = new StoreLayout(pod.dataDir).tree(stage1Id);
  for (const [manifestFile, rootfs] of [
    [join(tree, "manifest"), join(tree, "rootfs")],
    [join(pod.path, "stage1", "manifest"), join(pod.path, "stage1", "rootfs")],
  ] as const) {
    let manifest: { annotations?: { name: string; value: string }[] | null };
    try {
      manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
    } catch {
      continue;
    }
    const entrypoint = manifest.annotations?.find((a) => a.name === GC_ANNOTATION)?.value ?? DEFAULT_GC_ENTRYPOINT;
    const program = join(rootfs, entrypoint);
    if (existsSync(program)) return { program };
  }
  return { missing: `stage1 ${stage1Id} is neither in the store nor in the pod` };
}

function runStage1Gc(pod: Pod, opts: DeleteOptions): void {
  const found = findStage1Gc(pod);
  if ("missing" in found) {
    opts.warn(`Stage1 GC of pod "${pod.uuid}" skipped: ${found.missing}`);
    return;
  }
  const args = [found.program, ...(opts.debug ? ["--debug"] : []), pod.uuid];
  const failed = (why: string) => new Error(`Stage1 GC of pod "${pod.uuid}" failed: ${why}`);
  let proc: ReturnType<typeof Bun.spawnSync>;
  try {
    proc = Bun.spawnSync(args, { cwd: pod.path, stdin: "ignore", stdout: "inherit", stderr: "inherit" });
  } catch (err) {
    const hint = (err as NodeJS.ErrnoException).code === "ENOEXEC" ? NOT_A_PROGRAM_HINT : "";
    throw failed(`${readableErrorMessage((err as Error).message)}${hint}`);
  }
  if (proc.exitCode !== 0) {
    throw failed(proc.exitCode === null ? `killed by ${proc.signalCode}` : `exit status ${proc.exitCode}`);
  }
}

/** Why a stage1 gc cannot be executed, and what to do; the pod is kept, since only its stage1 knows what it left. */
const NOT_A_PROGRAM_HINT =
  " (not a program for this host: built for another architecture, or a script without #!); the pod is kept until its stage1 can run here";
