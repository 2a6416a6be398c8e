// A relative `--exec` (rkt 1.x takes one; appc v0.6.1 manifests need an absolute exec),
// made absolute inside the app's rootfs as rkt 1.x's stage1 does: a path with a slash is
// taken from the working directory; a bare name is searched in the app's PATH, else in the
// working directory, /bin and /usr/bin, and the first executable file found wins.
import { statSync } from "node:fs";
import { posix } from "node:path";
import type { PodManifest } from "../appc";
import { resolveInRoot } from "./user-group";

/** Makes every app's relative exec absolute; `rootfsOf(app)` is its rendered rootfs, asked for only when needed. */
export async function resolveRelativeExecs(manifest: PodManifest, rootfsOf: (appName: string) => Promise<string>): Promise<void> {
  for (const runtimeApp of manifest.apps) {
    const app = runtimeApp.app;
    const bin = app?.exec[0];
    if (app === undefined || bin === undefined || bin.startsWith("/")) continue;
    const workDir = app.workingDirectory || "/";
    if (bin.includes("/")) {
      app.exec[0] = posix.join(workDir, bin);
      continue;
    }
    const path = app.environment?.find((e) => e.name === "PATH")?.value;
    const dirs = (path?.split(":") ?? [workDir, "/bin", "/usr/bin"]).map((dir) => posix.resolve(workDir, dir));
    const rootfs = await rootfsOf(runtimeApp.name);
    const found = dirs.map((dir) => posix.join(dir, bin)).find((candidate) => isExecutableFile(resolveInRoot(rootfs, candidate)));
    const where = path !== undefined ? `its PATH (${path})` : `${workDir}, /bin or /usr/bin`;
    if (found === undefined) throw new Error(`--exec "${bin}": app "${runtimeApp.name}" has no executable of that name in ${where}`);
    app.exec[0] = found;
  }
}

function isExecutableFile(hostPath: string | undefined): boolean {
  if (hostPath === undefined) return false;
  try {
    const stat = statSync(hostPath);
    return stat.isFile() && (stat.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
