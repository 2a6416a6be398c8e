// `--format` of list, status and image list: rkt's tables or key=value lines by default,
// else JSON with rkt 1.x's field names (docs/json-output.md), compact or tab-indented.
import { UsageError } from "./errors";

export type OutputFormat = "" | "json" | "json-pretty";

const FORMATS: readonly OutputFormat[] = ["", "json", "json-pretty"];

export const formatFlag = {
  type: "string",
  default: "",
  description: "choose the output format, allowed format includes 'json', 'json-pretty'. If empty, then the result is printed as a table or key value pairs",
} as const;

export function parseOutputFormat(value: unknown): OutputFormat {
  const format = String(value) as OutputFormat;
  if (!FORMATS.includes(format)) throw new UsageError(`--format: unknown format "${value}" (must be json, json-pretty or empty)`);
  return format;
}

/** One JSON document and a newline: compact for json, indented with tabs for json-pretty (as rkt 1.x). */
export function formatJson(value: unknown, format: "json" | "json-pretty"): string {
  return JSON.stringify(value, null, format === "json-pretty" ? "\t" : undefined) + "\n";
}
