// acKind and acVersion, the two fields every manifest starts with (appc.md §1).
import { acVersionProblem } from "./ac-version";
import { stringField, type JsonObject } from "./json-checks";
import type { Problems } from "./manifest-error";

export type ACKind = "ImageManifest" | "PodManifest";

export function checkKindAndVersion(obj: JsonObject, expected: ACKind, problems: Problems): void {
  const kind = stringField(obj, "acKind", "", problems, true);
  if (kind && kind !== expected) {
    const known = kind === "ImageManifest" || kind === "PodManifest";
    problems.add("acKind", known ? `missing or bad ACKind (must be "${expected}")` : `bad ACKind: ${kind}`);
  }
  const version = stringField(obj, "acVersion", "", problems, true);
  const problem = version ? acVersionProblem(version) : undefined;
  if (problem) problems.add("acVersion", problem);
}
