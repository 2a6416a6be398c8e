// `docker://[REGISTRY/]REPOSITORY[:TAG]` (rkt-cli.md §4): the first component is a
// registry only if it looks like a host (has `.` or `:`, or is `localhost`); otherwise the
// image is on Docker Hub, whose one-component names live under `library/`.

export interface DockerReference {
  /** The host[:port] that selects auth.d credentials (`index.docker.io` for Docker Hub). */
  registry: string;
  /** Where the v2 API is served. */
  apiBase: string;
  repository: string;
  tag: string;
  dockerHub: boolean;
}

const DOCKER_HUB = "index.docker.io";
const DOCKER_HUB_API = "https://registry-1.docker.io";

/**
 * Loopback registries (`localhost:PORT`, `127.x.x.x:PORT`, `[::1]:PORT`) are spoken to over
 * plain http: docker images always need --insecure-skip-verify, and a registry on this host
 * is how tests and local mirrors run. Every other registry is https with TLS checks.
 */
export function parseDockerReference(ref: string): DockerReference {
  const rest = ref.replace(/^docker:\/\//i, "");
  const lastColon = rest.lastIndexOf(":");
  const hasTag = lastColon !== -1 && !rest.slice(lastColon + 1).includes("/");
  const path = hasTag ? rest.slice(0, lastColon) : rest;
  const tag = hasTag ? rest.slice(lastColon + 1) : "latest";
  const slash = path.indexOf("/");
  const first = slash === -1 ? "" : path.slice(0, slash);
  const explicitRegistry = first.includes(".") || first.includes(":") || first === "localhost";
  const repository = explicitRegistry ? path.slice(slash + 1) : path.includes("/") ? path : `library/${path}`;
  if (!/^[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*$/.test(repository)) throw new Error(`invalid docker repository name in "${ref}"`);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) throw new Error(`invalid docker tag in "${ref}"`);
  if (!explicitRegistry) return { registry: DOCKER_HUB, apiBase: DOCKER_HUB_API, repository, tag, dockerHub: true };
  return { registry: first, apiBase: `${isLoopback(first) ? "http" : "https"}://${first}`, repository, tag, dockerHub: false };
}

function isLoopback(host: string): boolean {
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!;
  return name === "localhost" || name === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(name);
}
