// A Docker image config as an appc image manifest (rkt-cli.md §4, our v2 choices): the
// name is `[REGISTRY/]REPOSITORY` as an AC Identifier (registry left out for Docker Hub),
// labels `version` (the tag), `os`, `arch`; exec from Entrypoint + Cmd, a relative first
// word going through `/bin/sh -c`; user/group, environment, working directory, mount
// points from Volumes and ports from ExposedPorts.
import { sanitizeACName, type Annotation, type App, type ImageManifest, type Label, type MountPoint, type Port } from "../appc";
import type { DockerReference } from "./reference";

export interface DockerImageConfig {
  architecture?: string;
  os?: string;
  author?: string;
  created?: string;
  comment?: string;
  config?: {
    User?: string;
    Env?: string[] | null;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Volumes?: Record<string, unknown> | null;
    ExposedPorts?: Record<string, unknown> | null;
  };
}

/** Docker architecture names as appc's (appc.md: amd64, i386, aarch64, armv7l, ...). */
export const APPC_ARCH: Record<string, string> = { amd64: "amd64", "386": "i386", arm64: "aarch64", arm: "armv7l", ppc64le: "ppc64le", s390x: "s390x" };

export function convertImageConfig(ref: DockerReference, config: DockerImageConfig, configDigest: string): ImageManifest {
  const manifest: ImageManifest = { acKind: "ImageManifest", acVersion: "0.6.1", name: imageName(ref), labels: imageLabels(ref, config) };
  const app = appOf(config.config ?? {});
  if (app) manifest.app = app;
  manifest.annotations = annotationsOf(ref, config, configDigest);
  return manifest;
}

/** `127.0.0.1:5000/test/app` -> `127.0.0.1-5000/test/app`: an AC Identifier. */
function imageName(ref: DockerReference): string {
  const full = ref.dockerHub ? ref.repository : `${ref.registry}/${ref.repository}`;
  return full
    .toLowerCase()
    .replace(/[^a-z0-9._~/-]/g, "-")
    .replace(/[-._~/]{2,}/g, (run) => run[0]!)
    .replace(/^[-._~/]+|[-._~/]+$/g, "");
}

function imageLabels(ref: DockerReference, config: DockerImageConfig): Label[] {
  const labels: Label[] = [{ name: "version", value: ref.tag }];
  if (config.os) labels.push({ name: "os", value: config.os });
  if (config.architecture) labels.push({ name: "arch", value: APPC_ARCH[config.architecture] ?? config.architecture });
  return labels;
}

function appOf(c: NonNullable<DockerImageConfig["config"]>): App | undefined {
  const command = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  if (!command.length) return undefined;
  const [user, group] = userAndGroup(c.User ?? "");
  const app: App = { exec: command[0]!.startsWith("/") ? command : ["/bin/sh", "-c", command.map(shellQuote).join(" ")], user, group };
  if (c.Env?.length) app.environment = c.Env.map(envVarOf);
  if (c.WorkingDir) app.workingDirectory = c.WorkingDir;
  const mountPoints = mountPointsOf(Object.keys(c.Volumes ?? {}));
  if (mountPoints.length) app.mountPoints = mountPoints;
  const ports = Object.keys(c.ExposedPorts ?? {}).map(portOf);
  if (ports.length) app.ports = ports;
  return app;
}

/** `NAME=VALUE`; a bare `NAME` has an empty value. */
function envVarOf(entry: string): { name: string; value: string } {
  const eq = entry.indexOf("=");
  return eq === -1 ? { name: entry, value: "" } : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
}

/** `uid:gid`; a user alone runs with group 0; no user is root. */
function userAndGroup(user: string): [string, string] {
  if (user === "") return ["0", "0"];
  const colon = user.indexOf(":");
  return colon === -1 ? [user, "0"] : [user.slice(0, colon), user.slice(colon + 1) || "0"];
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `/var/lib/data` -> `volume-var-lib-data`; a name already taken gets `-1`, `-2`, ... */
function mountPointsOf(paths: string[]): MountPoint[] {
  const taken = new Set<string>();
  return paths.map((path) => {
    const base = sanitizeACName(`volume/${path}`);
    let name = base;
    for (let n = 1; taken.has(name); n++) name = `${base}-${n}`;
    taken.add(name);
    return { name, path };
  });
}

/** `6379/tcp` -> port 6379, protocol tcp, name `6379-tcp`; no protocol means tcp; a range `A-B` is port A with a count. */
function portOf(exposed: string): Port {
  const [numbers = "", protocol = "tcp"] = exposed.split("/");
  const [first, last = first] = numbers.split("-").map(Number);
  const valid = (n: number | undefined): n is number => Number.isInteger(n) && n! >= 1 && n! <= 65535;
  if (!valid(first) || !valid(last) || last < first) throw new Error(`invalid exposed port "${exposed}" in the docker image`);
  const port: Port = { name: sanitizeACName(exposed), protocol, port: first };
  if (last > first) port.count = last - first + 1;
  return port;
}

/** The image config's `created`, if it is a time after the epoch. */
export function creationTime(config: DockerImageConfig): Date | undefined {
  const created = config.created ? new Date(config.created) : undefined;
  return created && !Number.isNaN(created.getTime()) && created.getTime() > 0 ? created : undefined;
}

function annotationsOf(ref: DockerReference, config: DockerImageConfig, configDigest: string): Annotation[] {
  const annotations: Annotation[] = [];
  if (config.author) annotations.push({ name: "authors", value: config.author });
  const created = creationTime(config);
  if (created) annotations.push({ name: "created", value: created.toISOString().replace(/\.000Z$/, "Z") });
  if (config.comment) annotations.push({ name: "docker-comment", value: config.comment });
  annotations.push(
    { name: "appc.io/docker/registryurl", value: ref.registry },
    { name: "appc.io/docker/repository", value: ref.repository },
    { name: "appc.io/docker/tag", value: ref.tag },
    { name: "appc.io/docker/imageid", value: configDigest },
  );
  return annotations;
}
