// The CNI plugins that travel inside the stage1 image (usr/lib/rkt/plugins/net), so the
// built-in networks and the README's examples need none on the host: Debian's
// containernetworking-plugins for the target's architecture, downloaded once with apt into
// .cache/cni-plugins/<target>/ (offline afterwards). Host plugin directories stay the
// fallback, and the place for other plugins.
//
// Debian's Go plugins link libc dynamically, so they run only where their glibc does:
// bookworm's (1.1.1) need glibc 2.34, bullseye's (0.9.0, CNI spec up to 0.4.0) glibc 2.4.
// dist/rkt runs on glibc 2.17, so the stage1 carries bullseye's.
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { hasSources, machineDebianSources, withPrivateApt } from "../native/private-apt";
import { runTool, type BuildTarget } from "../native/targets";

/** What the built-in `default`/`default-restricted` networks (ptp, host-local) and the README's examples use. */
export const STAGE1_CNI_PLUGINS = ["ptp", "bridge", "macvlan", "ipvlan", "host-local"];
const PLUGINS_SUITE = "bullseye";

const cacheRoot = resolve(import.meta.dir, "../.cache/cni-plugins");

/** A directory holding STAGE1_CNI_PLUGINS built for the target. */
export function cniPlugins(target: BuildTarget): string {
  const dir = join(cacheRoot, target.name);
  if (STAGE1_CNI_PLUGINS.every((plugin) => existsSync(join(dir, plugin)))) return dir;
  process.stderr.write(`build: ${target.name}: fetching Debian's containernetworking-plugins (${target.debianArch}) with apt\n`);
  const download = join(cacheRoot, `${target.name}-download`);
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download, { recursive: true });
  try {
    const sources = machineDebianSources("deb", { withSecurity: false, suite: PLUGINS_SUITE });
    if (!hasSources(sources)) throw new Error("stage1 CNI plugins: no Debian archive in the machine's apt sources");
    const pkg = `containernetworking-plugins:${target.debianArch}`;
    withPrivateApt(join(cacheRoot, "apt"), sources, (apt) => {
      // By version: apt's candidate may be the machine's own newer package.
      const listed = apt("apt-cache", ["madison", pkg], download);
      const version = new RegExp(`\\|\\s*(\\S+)\\s*\\|\\s*\\S+ ${PLUGINS_SUITE}/main ${target.debianArch} Packages`).exec(listed)?.[1];
      if (!version) throw new Error(`stage1 CNI plugins: the Debian archive lists no ${pkg} for ${PLUGINS_SUITE}`);
      apt("apt-get", ["download", `${pkg}=${version}`], download);
    }, [target.debianArch]);
    const deb = readdirSync(download).find((name) => name.endsWith(".deb"));
    if (!deb) throw new Error("stage1 CNI plugins: apt downloaded no containernetworking-plugins package");
    const unpacked = join(download, "unpacked");
    runTool(["dpkg-deb", "-x", join(download, deb), unpacked]);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const plugin of STAGE1_CNI_PLUGINS) runTool(["cp", join(unpacked, "usr/lib/cni", plugin), join(dir, plugin)]);
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
  return dir;
}
