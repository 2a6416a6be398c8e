// An appc image manifest as an OCI image config, for `rkt image export --format=oci`: the
// inverse of manifest-conversion.ts where one exists, so that an exported image fetched back
// runs the same app. exec becomes the Entrypoint (no Cmd), user and group `User`,
// environment `Env`, the working directory, mount points `Volumes`, ports `ExposedPorts`,
// annotations `Labels`; the os and arch labels the platform. Isolators and event handlers
// have no OCI counterpart and are left out.
import { labelValue, type ImageManifest, type Port } from "../appc";
import { APPC_ARCH } from "./manifest-conversion";

const DOCKER_ARCH_OF_APPC = Object.fromEntries(Object.entries(APPC_ARCH).map(([docker, appc]) => [appc, docker]));

export interface OciImageConfig {
  created?: string;
  architecture: string;
  os: string;
  config: Record<string, unknown>;
  rootfs: { type: "layers"; diff_ids: string[] };
}

/** The config of a one-layer image whose uncompressed layer has `diffId`. */
export function ociImageConfig(manifest: ImageManifest, diffId: string, hostArch: string): OciImageConfig {
  const arch = labelValue(manifest.labels, "arch");
  const created = manifest.annotations?.find((a) => a.name === "created")?.value;
  const image: OciImageConfig = {
    architecture: arch ? (DOCKER_ARCH_OF_APPC[arch] ?? arch) : hostArch,
    os: labelValue(manifest.labels, "os") ?? "linux",
    config: runConfig(manifest),
    rootfs: { type: "layers", diff_ids: [diffId] },
  };
  return created ? { created, ...image } : image;
}

function runConfig(manifest: ImageManifest): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const app = manifest.app;
  if (app) {
    config.User = `${app.user}:${app.group}`;
    if (app.environment?.length) config.Env = app.environment.map(({ name, value }) => `${name}=${value}`);
    config.Entrypoint = app.exec;
    if (app.workingDirectory) config.WorkingDir = app.workingDirectory;
    if (app.mountPoints?.length) config.Volumes = Object.fromEntries(app.mountPoints.map((m) => [m.path, {}]));
    if (app.ports?.length) config.ExposedPorts = Object.fromEntries(app.ports.map((p) => [exposedPort(p), {}]));
  }
  if (manifest.annotations?.length) config.Labels = Object.fromEntries(manifest.annotations.map((a) => [a.name, a.value]));
  return config;
}

/** Port 6379 tcp -> `6379/tcp`; with a count, the range `A-B/tcp`. */
function exposedPort(port: Port): string {
  const range = port.count && port.count > 1 ? `${port.port}-${port.port + port.count - 1}` : `${port.port}`;
  return `${range}/${port.protocol}`;
}
