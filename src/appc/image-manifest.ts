// The image manifest (appc.md §2.3): parse with full validation, serialize losslessly.
import { checkKindAndVersion } from "./ac-kind";
import { checkAnnotations } from "./annotations";
import { checkApp } from "./app";
import { checkControlCharacters } from "./control-characters";
import { acIdentifierProblem } from "./identifiers";
import { imageIdProblem } from "./image-id";
import { asObject, integerField, listField, stringField, stringListField } from "./json-checks";
import { checkLabels } from "./labels";
import { joinPath, Problems } from "./manifest-error";
import { parseJson, serializeManifest } from "./manifest-json";
import type { ImageManifest } from "./types";

function checkDependencies(value: unknown[], problems: Problems): void {
  value.forEach((item, i) => {
    const at = joinPath("dependencies", i);
    const dep = asObject(item, at, problems);
    if (!dep) return;
    const name = stringField(dep, "imageName", at, problems, true);
    const nameProblem = name ? acIdentifierProblem(name) : undefined;
    if (nameProblem) problems.add(joinPath(at, "imageName"), nameProblem);
    const id = stringField(dep, "imageID", at, problems, false);
    const idProblem = id ? imageIdProblem(id) : undefined;
    if (idProblem) problems.add(joinPath(at, "imageID"), idProblem);
    checkLabels(listField(dep, "labels", at, problems), joinPath(at, "labels"), problems);
    const size = integerField(dep, "size", at, problems, false);
    if (size !== undefined && size < 0) problems.add(joinPath(at, "size"), "must not be negative");
  });
}

/** Every problem of an image manifest given as parsed JSON (empty when valid). */
export function imageManifestProblems(value: unknown): Problems {
  const problems = new Problems();
  const obj = asObject(value, "", problems);
  if (!obj) return problems;
  checkKindAndVersion(obj, "ImageManifest", problems);
  checkControlCharacters(obj, "", problems);
  const name = stringField(obj, "name", "", problems, true);
  const nameProblem = name ? acIdentifierProblem(name) : undefined;
  if (nameProblem) problems.add("name", nameProblem);
  checkLabels(listField(obj, "labels", "", problems), "labels", problems);
  if (obj.app !== undefined && obj.app !== null) checkApp(obj.app, "app", problems);
  checkAnnotations(listField(obj, "annotations", "", problems), "annotations", problems);
  checkDependencies(listField(obj, "dependencies", "", problems), problems);
  stringListField(obj, "pathWhitelist", "", problems).forEach((p, i) => {
    if (!p.startsWith("/")) problems.add(joinPath("pathWhitelist", i), "must be an absolute path");
  });
  return problems;
}

/** Parses (if text) and validates an image manifest; throws ManifestError naming each problem's JSON path. */
/** Parses and validates; `file`, when given, is named in the error (`bad image manifest in FILE: ...`). */
export function parseImageManifest(input: string | unknown, file?: string): ImageManifest {
  const source = file === undefined ? undefined : `bad image manifest in ${file}`;
  const value = parseJson(input, source);
  imageManifestProblems(value).throwIfAny(source);
  return value as ImageManifest;
}

export function serializeImageManifest(m: ImageManifest): string {
  return serializeManifest(m);
}
