// `[{ "name": ..., "value": ... }]` lists (labels, annotations): each entry an object with
// string `name` and `value`; names valid (AC Identifiers by default) and unique.
import { acIdentifierProblem } from "./identifiers";
import { asObject, stringField } from "./json-checks";
import { joinPath, type Problems } from "./manifest-error";

export interface NameValueEntry {
  name: string;
  value: string | undefined;
  /** The entry's JSON path, for problems about its value. */
  at: string;
  index: number;
}

/** Checks the list at `path`; returns the entries that have a name. */
export function checkNameValueList(
  list: unknown[],
  path: string,
  problems: Problems,
  kind: string,
  nameProblem: (name: string) => string | undefined = acIdentifierProblem,
): NameValueEntry[] {
  const seen = new Set<string>();
  const entries: NameValueEntry[] = [];
  list.forEach((item, index) => {
    const at = joinPath(path, index);
    const obj = asObject(item, at, problems);
    if (!obj) return;
    const name = stringField(obj, "name", at, problems, true);
    const value = stringField(obj, "value", at, problems, false);
    if (!name) return;
    const problem = nameProblem(name);
    if (problem) problems.add(joinPath(at, "name"), problem);
    if (seen.has(name)) problems.add(joinPath(at, "name"), `duplicate ${kind} name "${name}"`);
    seen.add(name);
    entries.push({ name, value, at, index });
  });
  return entries;
}
