// Annotations: unique AC Identifier names (the reference parses pod ones the same way);
// values free-form except `created` (RFC 3339) and `homepage`/`documentation` (http(s) URL).
import { joinPath, type Problems } from "./manifest-error";
import { checkNameValueList } from "./name-value-list";

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
  for (const entry of checkNameValueList(value, path, problems, "annotation")) {
    const problem = entry.value === undefined ? undefined : valueProblem(entry.name, entry.value);
    if (problem) problems.add(joinPath(entry.at, "value"), problem);
  }
}
