// An image's dependencies come with it (rkt-cli.md §2 "Dependencies"): after an image is
// in the store, each dependency is fetched by its name and labels the way a name is
// (discovery, then the store), and theirs in turn. A dependency pinned by image ID that
// the store already holds needs no network: its content cannot have changed.
import { labelValue, normalizeImageKey, withHostOsArch, type Dependency, type Label } from "../appc";
import type { Store } from "../store";

/**
 * Fetches one dependency: `ref` is what to report, `labels` what discovery asks for,
 * `findInStore` the fallback when discovery fails (or the only source with --local).
 */
export type FetchDependency = (ref: string, name: string, labels: Label[], findInStore: () => string) => Promise<string>;

/** Brings every dependency of the image `key` into the store: an image's own, then theirs. */
export async function fetchDependencies(store: Store, key: string, fetchByName: FetchDependency): Promise<void> {
  const visited = new Set([key]);
  const pending = [key];
  while (pending.length > 0) {
    for (const dep of store.readManifest(pending.pop()!).dependencies ?? []) {
      let depKey: string;
      try {
        depKey = await fetchDependency(store, dep, fetchByName);
      } catch (err) {
        throw new Error(`dependency ${dependencyRef(dep)}: ${(err as Error).message}`);
      }
      // A cycle is left for rendering to report ("specified multiple times").
      if (!visited.has(depKey)) {
        visited.add(depKey);
        pending.push(depKey);
      }
    }
  }
}

async function fetchDependency(store: Store, dep: Dependency, fetchByName: FetchDependency): Promise<string> {
  const pinned = dep.imageID ? storedKey(store, dep.imageID) : undefined;
  if (pinned) return pinned;
  // Discovery templates need os and arch; the store match keeps the dependency's own labels,
  // where an absent label matches any value (appc.md §2.4), as rendering does.
  const key = await fetchByName(dependencyRef(dep), dep.imageName, withHostOsArch(dep.labels ?? []), () => store.resolveDependency(dep));
  if (dep.imageID && key !== normalizeImageKey(dep.imageID)) throw new Error(`found image ${key}, but the dependency requires image ID ${dep.imageID}`);
  return key;
}

function storedKey(store: Store, imageId: string): string | undefined {
  try {
    return store.resolveKey(imageId);
  } catch {
    return undefined;
  }
}

/** `name[:version][,label=value...]`, the image string of a dependency. */
function dependencyRef(dep: Dependency): string {
  const version = labelValue(dep.labels, "version");
  const others = (dep.labels ?? []).filter((l) => l.name !== "version").map((l) => `,${l.name}=${l.value}`);
  return `${dep.imageName}${version !== undefined ? `:${version}` : ""}${others.join("")}`;
}
