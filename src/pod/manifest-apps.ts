// The apps of a pod manifest as `rkt list` and `rkt status` show them: an app's image name
// from the manifest, else from the stored image manifest (pod manifests may carry only the
// image ID). For `rkt status`, and for `rkt list`'s pods without a list summary.
import { readFileSync } from "node:fs";
import type { RuntimeApp } from "../appc";
import { StoreLayout } from "../store/layout";
import type { ListedApp } from "./list";
import { storeKeyOf } from "./pod-file-texts";

export function listedApps(dataDir: string, apps: RuntimeApp[]): ListedApp[] {
  const layout = new StoreLayout(dataDir);
  return apps.map((app) => ({ name: app.name, imageName: app.image?.name ?? storedImageName(layout, app.image?.id), imageId: app.image?.id ?? "" }));
}

/** The name in the stored image manifest, for pod manifests that carry only the ID. */
function storedImageName(layout: StoreLayout, imageId: string | undefined): string {
  if (!imageId) return "";
  try {
    return String((JSON.parse(readFileSync(layout.manifest(storeKeyOf(imageId)), "utf8")) as { name?: unknown }).name ?? "");
  } catch {
    return "";
  }
}
