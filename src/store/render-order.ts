// The order in which an image and its dependencies are extracted into one tree, per
// appc's reference renderer (appc.md §2.4): depth first, each image's dependencies
// inserted right after it, so its last dependency comes first. Extraction in this order
// with "first writer wins" gives the image priority over its dependencies.
import type { ImageManifest } from "../appc";
import type { Store } from "./store";

export interface RenderLayer {
  key: string;
  manifest: ImageManifest;
  /** 0 for the image itself, 1 for its dependencies, and so on. */
  level: number;
  /** Paths this layer may provide, if restricted. */
  whitelist?: string[];
  /** True when the whitelist filters directories too (an ancestor's whitelist). */
  whitelistAppliesToDirs: boolean;
}

interface Pending {
  key: string;
  manifest: ImageManifest;
  level: number;
  ancestors: ImageManifest[];
}

export function renderOrder(store: Store, topKey: string): RenderLayer[] {
  const list: Pending[] = [{ key: topKey, manifest: store.readManifest(topKey), level: 0, ancestors: [] }];
  const seen = new Set([topKey]);
  for (let i = 0; i < list.length; i++) {
    const parent = list[i]!;
    for (const dep of parent.manifest.dependencies ?? []) {
      const key = store.resolveDependency(dep);
      if (seen.has(key)) {
        throw new Error(`dependency ${dep.imageName} specified multiple times in the dependency tree for imageID: ${topKey}`);
      }
      seen.add(key);
      const ancestors = [...parent.ancestors, parent.manifest];
      list.splice(i + 1, 0, { key, manifest: store.readManifest(key), level: parent.level + 1, ancestors });
    }
  }
  return list.map(toLayer);
}

/**
 * A dependency is filtered by the whitelist of its ancestor closest to the top, directories
 * included; an image with no such ancestor is filtered by its own whitelist, files only.
 */
function toLayer(p: Pending): RenderLayer {
  const ancestorWhitelist = p.ancestors.find((m) => m.pathWhitelist?.length)?.pathWhitelist;
  const own = p.manifest.pathWhitelist?.length ? p.manifest.pathWhitelist : undefined;
  return {
    key: p.key,
    manifest: p.manifest,
    level: p.level,
    whitelist: ancestorWhitelist ?? own,
    whitelistAppliesToDirs: ancestorWhitelist !== undefined,
  };
}
