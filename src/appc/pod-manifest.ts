// The pod manifest (appc.md §5.1): parse with full validation, serialize losslessly.
// Pod-level lists may be null, as the reference marshals them when empty.
import { checkKindAndVersion } from "./ac-kind";
import { checkAnnotations } from "./annotations";
import { checkApp } from "./app";
import { checkControlCharacters } from "./control-characters";
import { acIdentifierProblem, acNameProblem } from "./identifiers";
import { imageIdProblem } from "./image-id";
import { checkIsolators } from "./isolators";
import { asObject, booleanField, integerField, listField, stringField, type JsonObject } from "./json-checks";
import { checkLabels } from "./labels";
import { joinPath, Problems } from "./manifest-error";
import { parseJson, serializeManifest } from "./manifest-json";
import type { PodManifest } from "./types";

function acNameField(obj: JsonObject, key: string, path: string, problems: Problems): string | undefined {
  const value = stringField(obj, key, path, problems, true);
  const problem = value ? acNameProblem(value) : undefined;
  if (problem) problems.add(joinPath(path, key), problem);
  return value;
}

function checkImage(value: unknown, at: string, problems: Problems): void {
  const image = asObject(value, at, problems);
  if (!image) return;
  const id = stringField(image, "id", at, problems, true);
  const idProblem = id ? imageIdProblem(id) : undefined;
  if (idProblem) problems.add(joinPath(at, "id"), idProblem);
  const name = stringField(image, "name", at, problems, false);
  const nameProblem = name ? acIdentifierProblem(name) : undefined;
  if (nameProblem) problems.add(joinPath(at, "name"), nameProblem);
  checkLabels(listField(image, "labels", at, problems), joinPath(at, "labels"), problems);
}

function checkApps(obj: JsonObject, problems: Problems): void {
  if (!Array.isArray(obj.apps)) {
    problems.add("apps", obj.apps === undefined || obj.apps === null ? "must be set" : "must be a list");
    return;
  }
  const seen = new Set<string>();
  obj.apps.forEach((item, i) => {
    const at = joinPath("apps", i);
    const app = asObject(item, at, problems);
    if (!app) return;
    const name = acNameField(app, "name", at, problems);
    if (name && seen.has(name)) problems.add(joinPath(at, "name"), `duplicate apps of name "${name}"`);
    if (name) seen.add(name);
    if (app.image === undefined || app.image === null) problems.add(joinPath(at, "image"), "must be set");
    else checkImage(app.image, joinPath(at, "image"), problems);
    if (app.app !== undefined && app.app !== null) checkApp(app.app, joinPath(at, "app"), problems);
    listField(app, "mounts", at, problems).forEach((m, j) => {
      const mountAt = joinPath(joinPath(at, "mounts"), j);
      const mount = asObject(m, mountAt, problems);
      if (!mount) return;
      acNameField(mount, "volume", mountAt, problems);
      acNameField(mount, "mountPoint", mountAt, problems);
    });
    checkAnnotations(listField(app, "annotations", at, problems), joinPath(at, "annotations"), problems);
  });
}

function checkVolumes(obj: JsonObject, problems: Problems): void {
  listField(obj, "volumes", "", problems).forEach((item, i) => {
    const at = joinPath("volumes", i);
    const volume = asObject(item, at, problems);
    if (!volume) return;
    acNameField(volume, "name", at, problems);
    const kind = stringField(volume, "kind", at, problems, true);
    const source = stringField(volume, "source", at, problems, false);
    booleanField(volume, "readOnly", at, problems);
    const sourceAt = joinPath(at, "source");
    if (kind === "host") {
      if (!source) problems.add(sourceAt, "source for host volume cannot be empty");
      else if (!source.startsWith("/")) problems.add(sourceAt, "source for host volume must be absolute path");
    } else if (kind === "empty") {
      if (source) problems.add(sourceAt, "source for empty volume must be empty");
    } else if (kind) problems.add(joinPath(at, "kind"), `unrecognized volume kind "${kind}": should be one of "empty", "host"`);
  });
}

function checkExposedPorts(obj: JsonObject, problems: Problems): void {
  listField(obj, "ports", "", problems).forEach((item, i) => {
    const at = joinPath("ports", i);
    const port = asObject(item, at, problems);
    if (!port) return;
    acNameField(port, "name", at, problems);
    const hostPort = integerField(port, "hostPort", at, problems, true);
    if (hostPort !== undefined && (hostPort < 1 || hostPort > 65535)) problems.add(joinPath(at, "hostPort"), `${hostPort} is not a port number (1-65535)`);
  });
}

/** Every problem of a pod manifest given as parsed JSON (empty when valid). */
export function podManifestProblems(value: unknown): Problems {
  const problems = new Problems();
  const obj = asObject(value, "", problems);
  if (!obj) return problems;
  checkKindAndVersion(obj, "PodManifest", problems);
  checkControlCharacters(obj, "", problems);
  checkApps(obj, problems);
  checkVolumes(obj, problems);
  checkIsolators(listField(obj, "isolators", "", problems), "isolators", problems, "pod");
  checkAnnotations(listField(obj, "annotations", "", problems), "annotations", problems);
  checkExposedPorts(obj, problems);
  return problems;
}

/** Parses (if text) and validates a pod manifest; throws ManifestError naming each problem's JSON path. */
export function parsePodManifest(input: string | unknown): PodManifest {
  const value = parseJson(input);
  podManifestProblems(value).throwIfAny();
  return value as PodManifest;
}

export function serializePodManifest(m: PodManifest): string {
  return serializeManifest(m);
}
