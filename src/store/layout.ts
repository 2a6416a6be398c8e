// Where everything of the image store lives under `<dataDir>/cas` (rkt-internals §1).
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export class StoreLayout {
  readonly cas: string;
  readonly dbDir: string;
  readonly dbFile: string;
  readonly dbBackups: string;
  readonly tmp: string;
  readonly trees: string;

  constructor(readonly dataDir: string) {
    this.cas = join(dataDir, "cas");
    this.dbDir = join(this.cas, "db");
    this.dbFile = join(this.dbDir, "store.sqlite");
    this.dbBackups = join(this.cas, "db-backups");
    this.tmp = join(this.cas, "tmp");
    this.trees = join(this.cas, "tree");
  }

  /** Creates the directories every store operation expects (0777 minus umask, as rkt). */
  create(): void {
    for (const dir of [
      this.dbDir,
      this.tmp,
      this.trees,
      join(this.cas, "blob", "sha512"),
      join(this.cas, "imageManifest", "sha512"),
      join(this.cas, "imagelocks"),
      join(this.cas, "treestorelocks"),
    ]) {
      mkdirSync(dir, { recursive: true, mode: 0o777 });
    }
  }

  /** `cas/blob/sha512/<hh>/<key>`: the image file as received (compressed or not); the key hashes its tar. */
  blob(key: string): string {
    return join(this.cas, "blob", "sha512", fanOut(key), key);
  }

  /** `cas/imageManifest/sha512/<hh>/<key>`: the manifest JSON. */
  manifest(key: string): string {
    return join(this.cas, "imageManifest", "sha512", fanOut(key), key);
  }

  tree(key: string): string {
    return join(this.trees, key);
  }

  imageLock(key: string): string {
    return join(this.cas, "imagelocks", key);
  }

  treeLock(key: string): string {
    return join(this.cas, "treestorelocks", key);
  }

  /** `cas/blobunsynced/<key>`: the blob was written without a sync, in the boot this names (written-this-boot.ts). */
  unsyncedBlobMark(key: string): string {
    return join(this.cas, "blobunsynced", key);
  }

  /** `cas/podused/<key>`: an empty file whose mtime is when a pod last chose the image. */
  podUseStamp(key: string): string {
    return join(this.cas, "podused", key);
  }
}

/** The first two hex digits of the key's value: `sha512-fa1c...` -> `fa`. */
function fanOut(key: string): string {
  return key.slice("sha512-".length, "sha512-".length + 2);
}
