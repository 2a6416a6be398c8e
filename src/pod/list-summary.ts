// The list summary, `list-summary` in the pod directory: the apps as `rkt list` shows them,
// written by prepare next to the pod manifest, which never changes after. Listing a pod then
// reads a few hundred bytes and splits them instead of parsing its whole manifest. Records of
// 3 fields (app name, image name, image ID) in the encoding of stage1's files; pods prepared
// before it existed have none, and are listed from their manifest.
import type { PodManifest } from "../appc";
import { decodeRecords, encodeRecords, FieldLimit } from "./contract-records";
import type { ListedApp } from "./list";

export const LIST_SUMMARY_FILE = "list-summary";

/** The summary of `manifest`'s apps; `storedImageName` names an app's image when the manifest gives only its ID. */
export function encodeListSummary(manifest: PodManifest, storedImageName: (appName: string) => string): Buffer {
  const records = manifest.apps.map((app) => [app.name, app.image.name ?? storedImageName(app.name), app.image.id]);
  return encodeRecords(records, FieldLimit.path, "the list summary");
}

/** The apps of a summary's text, read from `file`; throws on anything encodeListSummary could not have written. */
export function decodeListSummary(text: string, file: string): ListedApp[] {
  return decodeRecords(text, 3, file).map(([name, imageName, imageId]) => ({ name: name!, imageName: imageName!, imageId: imageId! }));
}
