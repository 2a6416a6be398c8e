// Shape checks for parsed JSON: each reads one field, records a problem at its path when
// the JSON type is wrong, and returns the value only when it has the expected type.
import { joinPath, type Problems } from "./manifest-error";

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The object at `path`, or undefined (with a problem) if `value` is not one. */
export function asObject(value: unknown, path: string, problems: Problems): JsonObject | undefined {
  if (isJsonObject(value)) return value;
  problems.add(path, "must be an object");
  return undefined;
}

/** A string field; a missing required one is reported as `must be set`, as is "". */
export function stringField(obj: JsonObject, key: string, path: string, problems: Problems, required: boolean): string | undefined {
  const value = obj[key];
  const at = joinPath(path, key);
  if (value === undefined || value === null) {
    if (required) problems.add(at, "must be set");
    return undefined;
  }
  if (typeof value !== "string") {
    problems.add(at, "must be a string");
    return undefined;
  }
  if (required && value === "") problems.add(at, "must be set");
  return value;
}

export function booleanField(obj: JsonObject, key: string, path: string, problems: Problems): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") {
    problems.add(joinPath(path, key), "must be true or false");
    return undefined;
  }
  return value;
}

export function integerField(obj: JsonObject, key: string, path: string, problems: Problems, required: boolean): number | undefined {
  const value = obj[key];
  const at = joinPath(path, key);
  if (value === undefined || value === null) {
    if (required) problems.add(at, "must be set");
    return undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value)) {
    problems.add(at, "must be an integer");
    return undefined;
  }
  return value;
}

/** A list field; absent and `null` are the empty list (Go's nil slice). */
export function listField(obj: JsonObject, key: string, path: string, problems: Problems): unknown[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.add(joinPath(path, key), "must be a list");
    return [];
  }
  return value;
}

/** A list of strings; wrong elements are reported at their index. */
export function stringListField(obj: JsonObject, key: string, path: string, problems: Problems): string[] {
  const at = joinPath(path, key);
  const strings: string[] = [];
  listField(obj, key, path, problems).forEach((item, i) => {
    if (typeof item === "string") strings.push(item);
    else problems.add(joinPath(at, i), "must be a string");
  });
  return strings;
}
