// The `app` object of an image manifest (also a pod's per-app override), appc.md §2.3.
import { acNameProblem } from "./identifiers";
import { checkIsolators } from "./isolators";
import { asObject, booleanField, integerField, listField, stringField, type JsonObject } from "./json-checks";
import { joinPath, type Problems } from "./manifest-error";
import type { Port } from "./types";

const envName = /^[A-Za-z_][A-Za-z_0-9]*$/;
const eventHandlerNames = ["pre-start", "post-stop"];

function checkExec(obj: JsonObject, path: string, problems: Problems): void {
  const at = joinPath(path, "exec");
  const exec = obj.exec;
  if (exec === undefined || exec === null) return problems.add(at, "must be set");
  if (!Array.isArray(exec)) return problems.add(at, "must be a list");
  if (exec.length === 0) return problems.add(at, "must not be empty");
  exec.forEach((arg, i) => {
    if (typeof arg !== "string") problems.add(joinPath(at, i), "must be a string");
  });
  if (typeof exec[0] === "string" && !exec[0].startsWith("/")) problems.add(joinPath(at, 0), "must be an absolute path");
}

function checkEventHandlers(obj: JsonObject, path: string, problems: Problems): void {
  const at = joinPath(path, "eventHandlers");
  const seen = new Set<string>();
  listField(obj, "eventHandlers", path, problems).forEach((item, i) => {
    const handlerAt = joinPath(at, i);
    const handler = asObject(item, handlerAt, problems);
    if (!handler) return;
    const name = stringField(handler, "name", handlerAt, problems, true);
    if (name) {
      if (!eventHandlerNames.includes(name)) problems.add(joinPath(handlerAt, "name"), `bad eventHandler name "${name}" (must be "pre-start" or "post-stop")`);
      else if (seen.has(name)) problems.add(joinPath(handlerAt, "name"), `only one eventHandler of name "${name}" allowed`);
      seen.add(name);
    }
    checkExec(handler, handlerAt, problems);
  });
}

function checkEnvironment(obj: JsonObject, path: string, problems: Problems): void {
  const at = joinPath(path, "environment");
  const seen = new Set<string>();
  listField(obj, "environment", path, problems).forEach((item, i) => {
    const varAt = joinPath(at, i);
    const v = asObject(item, varAt, problems);
    if (!v) return;
    const name = stringField(v, "name", varAt, problems, true);
    stringField(v, "value", varAt, problems, false);
    if (!name) return;
    if (!envName.test(name)) problems.add(joinPath(varAt, "name"), `"${name}" is not a valid environment variable name`);
    if (seen.has(name)) problems.add(joinPath(varAt, "name"), `duplicate environment variable "${name}"`);
    seen.add(name);
  });
}

function checkNamed(item: unknown, at: string, problems: Problems): JsonObject | undefined {
  const obj = asObject(item, at, problems);
  if (!obj) return undefined;
  const name = stringField(obj, "name", at, problems, true);
  const problem = name ? acNameProblem(name) : undefined;
  if (problem) problems.add(joinPath(at, "name"), problem);
  return obj;
}

function checkMountPoints(obj: JsonObject, path: string, problems: Problems): void {
  const at = joinPath(path, "mountPoints");
  listField(obj, "mountPoints", path, problems).forEach((item, i) => {
    const mp = checkNamed(item, joinPath(at, i), problems);
    if (!mp) return;
    stringField(mp, "path", joinPath(at, i), problems, true);
    booleanField(mp, "readOnly", joinPath(at, i), problems);
  });
}

function checkPorts(obj: JsonObject, path: string, problems: Problems): void {
  const at = joinPath(path, "ports");
  listField(obj, "ports", path, problems).forEach((item, i) => {
    const portAt = joinPath(at, i);
    const p = checkNamed(item, portAt, problems);
    if (!p) return;
    stringField(p, "protocol", portAt, problems, true);
    const port = integerField(p, "port", portAt, problems, true);
    const count = integerField(p, "count", portAt, problems, false);
    booleanField(p, "socketActivated", portAt, problems);
    if (port !== undefined && (port < 1 || port > 65535)) problems.add(joinPath(portAt, "port"), `${port} is not a port number (1-65535)`);
    if (count !== undefined && count < 0) problems.add(joinPath(portAt, "count"), "must not be negative");
    if (port !== undefined && count !== undefined && port + Math.max(count, 1) > 65536) problems.add(joinPath(portAt, "count"), `the range ${port}+${count} goes beyond port 65535`);
  });
}

/** Validates an `app` object at `path` (e.g. `app` or `apps[0].app`). */
export function checkApp(value: unknown, path: string, problems: Problems): void {
  const app = asObject(value, path, problems);
  if (!app) return;
  checkExec(app, path, problems);
  stringField(app, "user", path, problems, true);
  stringField(app, "group", path, problems, true);
  checkEventHandlers(app, path, problems);
  const wd = stringField(app, "workingDirectory", path, problems, false);
  if (wd && !wd.startsWith("/")) problems.add(joinPath(path, "workingDirectory"), "must be an absolute path");
  checkEnvironment(app, path, problems);
  checkIsolators(listField(app, "isolators", path, problems), joinPath(path, "isolators"), problems, "app");
  checkMountPoints(app, path, problems);
  checkPorts(app, path, problems);
}

/** The number of consecutive ports a port entry covers (absent or 0 means 1). */
export function portCount(port: Port): number {
  return port.count || 1;
}
