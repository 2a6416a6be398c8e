// Isolators: the known names and the shape of their values (appc.md §1); unknown names are
// kept as they are. Lookups return the last isolator of a name, as the reference does.
import { REMOVE_SET, RETAIN_SET } from "./capabilities";
import { acIdentifierProblem } from "./identifiers";
import { asObject, isJsonObject, stringField } from "./json-checks";
import { joinPath, type Problems } from "./manifest-error";
import { parseQuantity, quantityProblem } from "./quantity";
import type { Isolator, ResourceValue } from "./types";

export const CPU = "resource/cpu";
export const MEMORY = "resource/memory";

/** request/limit resources: `default` must be absent or false. */
const requestLimitResources = new Set([CPU, MEMORY]);
/** limit-only resources: `default` must be true and `request` absent. */
const defaultLimitResources = new Set(["resource/block-bandwidth", "resource/block-iops", "resource/network-bandwidth"]);

function checkResourceValue(name: string, value: unknown, at: string, problems: Problems): void {
  const obj = asObject(value, at, problems);
  if (!obj) return;
  for (const key of ["request", "limit"]) {
    const q = obj[key];
    if (q === undefined || q === null) continue;
    // The reference's quantity type also reads bare JSON numbers.
    const problem = typeof q === "string" || typeof q === "number" ? quantityProblem(String(q)) : "must be a quantity string";
    if (problem) problems.add(joinPath(at, key), problem);
  }
  if (obj.default !== undefined && typeof obj.default !== "boolean") problems.add(joinPath(at, "default"), "must be true or false");
  if (requestLimitResources.has(name)) {
    if (obj.default === true) problems.add(joinPath(at, "default"), `must not be true for ${name}`);
  } else {
    if (obj.default !== true) problems.add(joinPath(at, "default"), `must be true for ${name}`);
    if (obj.request !== undefined) problems.add(joinPath(at, "request"), `not allowed for ${name}`);
  }
}

function checkCapabilitySetValue(value: unknown, at: string, problems: Problems): void {
  const obj = asObject(value, at, problems);
  if (!obj) return;
  const set = obj.set;
  if (!Array.isArray(set) || set.length === 0) {
    problems.add(joinPath(at, "set"), "must be a non-empty list of capability names");
    return;
  }
  set.forEach((cap, i) => {
    if (typeof cap !== "string") problems.add(joinPath(joinPath(at, "set"), i), "must be a string");
  });
}

/** Validates an isolator list; `scope` says whether capability sets are allowed (apps only). */
export function checkIsolators(value: unknown[], path: string, problems: Problems, scope: "app" | "pod"): void {
  value.forEach((item, i) => {
    const at = joinPath(path, i);
    const obj = asObject(item, at, problems);
    if (!obj) return;
    const name = stringField(obj, "name", at, problems, true);
    if (!name) return;
    const nameProblem = acIdentifierProblem(name);
    if (nameProblem) problems.add(joinPath(at, "name"), nameProblem);
    const valueAt = joinPath(at, "value");
    if (requestLimitResources.has(name) || defaultLimitResources.has(name)) checkResourceValue(name, obj.value, valueAt, problems);
    else if (name === RETAIN_SET || name === REMOVE_SET) {
      if (scope === "pod") problems.add(joinPath(at, "name"), `${name} applies to apps only`);
      checkCapabilitySetValue(obj.value, valueAt, problems);
    }
  });
}

/** The last isolator named `name`, or undefined. */
function findIsolator(isolators: readonly Isolator[] | null | undefined, name: string): Isolator | undefined {
  return isolators?.findLast((i) => i.name === name);
}

function resourceLimit(isolators: readonly Isolator[] | null | undefined, name: string): number | undefined {
  const value = findIsolator(isolators, name)?.value;
  if (!isJsonObject(value)) return undefined;
  const { limit } = value as ResourceValue;
  return limit === undefined || limit === null ? undefined : parseQuantity(String(limit));
}

/** The memory limit in bytes (rounded up), or undefined when there is none. */
export function memoryLimitBytes(isolators: readonly Isolator[] | null | undefined): number | undefined {
  const bytes = resourceLimit(isolators, MEMORY);
  return bytes === undefined ? undefined : Math.ceil(bytes);
}

/**
 * The CPU limit in millicores, or undefined. The quantity counts cores the Kubernetes
 * way, as rkt does: `"800m"` is 800, `"1"` is 1000 (the spec's "milli-cores" wording is
 * not followed for bare integers).
 */
export function cpuLimitMillicores(isolators: readonly Isolator[] | null | undefined): number | undefined {
  const cores = resourceLimit(isolators, CPU);
  return cores === undefined ? undefined : Math.ceil(Math.round(cores * 1e6) / 1e3);
}
