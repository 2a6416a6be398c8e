// Store writes that are trusted without a sync until the next boot. A process that dies,
// even by kill -9, loses nothing it wrote: the page cache keeps it. Only a kernel crash or a
// power loss does, and either means a reboot, which gives the kernel a new boot ID. So a
// blob or tree written without a sync carries a mark with the boot ID it was written in:
// in that boot it is trusted as it is; in a later one it is proven once (its digest
// recomputed from what is on disk) before its first use, and then its mark is cleared.
// A fetch thus waits for no sync, as `tar -x` and `podman pull` do not, while a crash can
// still never hand a pod a half-written image.
import { readFileSync } from "node:fs";

const BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id";
let bootId: string | undefined;

function currentBootId(): string {
  return (bootId ??= readFileSync(BOOT_ID_FILE, "utf8").trim());
}

/** The mark of something written now without a sync. */
export function unsyncedMark(): string {
  return `unsynced ${currentBootId()}\n`;
}

/**
 * Whether data with this mark must be proven before use. The empty mark is that of data
 * known to be on disk (synced, proven, or from a store that synced every write); anything
 * else but this boot's own mark needs proof.
 */
export function needsProof(mark: string): boolean {
  return mark !== "" && mark !== unsyncedMark();
}
