// Command-line strings in appc's URL-query syntax (appc.md §3.1, §9): `NAME[:VERSION][,k=v...]`
// for images, `NAME,key=value,...` for volumes, mounts, ports and isolators. Values are
// percent-decoded (`+` is a space); a repeated key is an error.
import { parseGoBool } from "./go-bool";
import { acIdentifierProblem } from "./identifiers";
import { checkLabels } from "./labels";
import { Problems } from "./manifest-error";
import type { Label } from "./types";

function unescapeQuery(s: string, whole: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    throw new Error(`invalid escape in "${whole}"`);
  }
}

/** Splits `name,k=v,...` into key/value pairs in order; the name comes first under the key `name`. */
function queryPairs(text: string): Array<[string, string]> {
  return `name=${text}`
    .split(",")
    .filter((part) => part !== "")
    .map((part) => {
      const eq = part.indexOf("=");
      const key = eq === -1 ? part : part.slice(0, eq);
      const value = eq === -1 ? "" : part.slice(eq + 1);
      return [unescapeQuery(key, text), unescapeQuery(value, text)];
    });
}

function groupPairs(pairs: Array<[string, string]>, describe: (key: string) => string): Map<string, string> {
  const all = new Map<string, string[]>();
  for (const [key, value] of pairs) all.set(key, [...(all.get(key) ?? []), value]);
  const single = new Map<string, string>();
  for (const [key, values] of all) {
    if (values.length > 1) throw new Error(`${describe(key)} with multiple values [${values.join(" ")}]`);
    single.set(key, values[0]!);
  }
  return single;
}

export interface ImageReference {
  name: string;
  labels: Label[];
}

/** Parses `NAME[:VERSION][,LABEL=VALUE...]`; every `:` stands for `,version=`. */
export function parseImageString(s: string): ImageReference {
  const values = groupPairs(queryPairs(s.replace(/:/g, ",version=")), (key) => `label ${key}`);
  const name = values.get("name") ?? "";
  const nameProblem = acIdentifierProblem(name);
  if (nameProblem) throw new Error(`bad image name in "${s}": ${nameProblem === "must be set" ? "the name is empty" : nameProblem}`);
  values.delete("name");
  const problems = new Problems();
  const labels = checkLabels(
    [...values].map(([key, value]) => ({ name: key, value })),
    "labels",
    problems,
  );
  if (problems.list.length) throw new Error(`bad labels in image "${s}": ${problems.list.map((p) => p.message).join("; ")}`);
  return { name, labels };
}

export type KeyKind = "string" | "boolean";

export interface NameKeyValues {
  name: string;
  values: Record<string, string | boolean>;
}

/**
 * Parses `NAME,key=value,...`. Only `allowedKeys` may appear, each at most once; boolean
 * keys take Go's bool spellings. `what` names the thing in errors (`unknown volume parameter "x"`).
 */
export function parseNameKeyValues(text: string, allowedKeys: Record<string, KeyKind>, what = "parameter"): NameKeyValues {
  const values = groupPairs(queryPairs(text), (key) => `${what} parameter "${key}"`);
  const name = values.get("name") ?? "";
  if (name === "") throw new Error(`${what} "${text}": the name is empty`);
  values.delete("name");
  const result: Record<string, string | boolean> = {};
  for (const [key, value] of values) {
    const kind = allowedKeys[key];
    if (!kind) throw new Error(`unknown ${what} parameter "${key}"`);
    if (kind === "boolean") {
      const b = parseGoBool(value);
      if (b === undefined) throw new Error(`${what} parameter "${key}": invalid boolean "${value}"`);
      result[key] = b;
    } else result[key] = value;
  }
  return { name, values: result };
}
