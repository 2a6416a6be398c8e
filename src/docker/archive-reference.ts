// What an image from an archive or a layout is called once converted. `docker save`
// archives tag images with full references (`busybox:1.36`, `docker.io/repo/x:tag`),
// taken as a registry would have named them, so the same image converts to the same ACI
// from either. An OCI layout's ref name is usually a bare tag (`v1`): the image is then
// `localhost/<file or directory name>` with that tag, as podman names local images.
import { basename } from "node:path";
import { parseDockerReference, type DockerReference } from "./reference";

/** `docker.io/` is Docker Hub spelled out, as docker and skopeo write it. */
const DOCKER_HUB_PREFIX = /^(docker\.io|index\.docker\.io)\//;

/** A full image reference (`repo/x:tag`, `host:5000/x`) or, for a bare tag, `localhost/<name of path>:tag`. */
export function archiveReference(refName: string | undefined, path: string): DockerReference {
  if (refName !== undefined && /[/:]/.test(refName)) return parseDockerReference(refName.replace(DOCKER_HUB_PREFIX, ""));
  return parseDockerReference(`localhost/${repositoryFromPath(path)}:${refName ?? "latest"}`);
}

/** The reference spelled out (`index.docker.io/library/busybox:latest`): equal for two spellings of one image. */
export function canonicalReference(ref: DockerReference): string {
  return `${ref.registry}/${ref.repository}:${ref.tag}`;
}

/** `/srv/My App.tar` -> `my-app`. */
function repositoryFromPath(path: string): string {
  const name = basename(path.replace(/\/+$/, "")).replace(/\.(tar|tar\.gz|tgz)$/, "");
  const repository = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/[._-]{2,}/g, (run) => run[0]!)
    .replace(/^[._-]+|[._-]+$/g, "");
  return repository || "image";
}
