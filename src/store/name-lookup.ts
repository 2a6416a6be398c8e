// rkt's GetACI (rkt-cli.md §2): find a stored image by exact name and labels.
import { labelValue, labelsMatch, type Label } from "../appc";
import type { Store } from "./store";

/** The key of the best match, or undefined. */
export function findByNameAndLabels(store: Store, name: string, labels: readonly Label[]): string | undefined {
  const candidates = store.index
    .aciInfosByName(name)
    .filter((info) => {
      try {
        return labelsMatch(labels, store.readManifest(info.key).labels);
      } catch {
        return false; // removed since the index was read
      }
    })
    .sort((a, b) => b.importTime.getTime() - a.importTime.getTime());
  const versionRequested = labelValue(labels, "version") !== undefined;
  const preferred = versionRequested ? undefined : candidates.find((c) => c.latest);
  return (preferred ?? candidates[0])?.key;
}

/** Labels as an IMAGE argument gives them, after the name: ` with labels version=1.0,os=linux`, or nothing. */
export function formatLabels(labels: readonly Label[]): string {
  return labels.length === 0 ? "" : ` with labels ${labels.map((l) => `${l.name}=${l.value}`).join(",")}`;
}
