// Annotations: unique AC Identifier names (the reference parses pod ones the same way);
// values free-form except `created` (RFC 3339) and `homepage`/`documentation` (http(s) URL).
import { acIdentifierProblem } from "./identifiers";
import { asObject, stringField } from "./json-checks";
import { joinPath, type Problems } from "./manifest-error";

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function valueProblem(name: string, value: string): string | undefined {
  if (name === "created") {
    if (!rfc3339.test(value) || Number.isNaN(Date.parse(value))) return `"${value}" is not an RFC 3339 timestamp`;
  } else if (name === "homepage" || name === "documentation") {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return `"${value}" is not a URL`;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return `"${value}": URL scheme must be http or https`;
  }
  return undefined;
}

export function checkAnnotations(value: unknown[], path: string, problems: Problems): void {
  const seen = new Set<string>();
  value.forEach((item, i) => {
    const at = joinPath(path, i);
    const obj = asObject(item, at, problems);
    if (!obj) return;
    const name = stringField(obj, "name", at, problems, true);
    const val = stringField(obj, "value", at, problems, false);
    if (!name) return;
    const nameProblem = acIdentifierProblem(name);
    if (nameProblem) problems.add(joinPath(at, "name"), nameProblem);
    if (seen.has(name)) problems.add(joinPath(at, "name"), `duplicate annotation name "${name}"`);
    seen.add(name);
    const problem = val === undefined ? undefined : valueProblem(name, val);
    if (problem) problems.add(joinPath(at, "value"), problem);
  });
}
