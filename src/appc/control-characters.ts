// Control characters in manifests. A manifest's names, paths, ids and annotations end up in
// the files stage0 hands to stage1, in mount tables, logs and terminals, where a TAB,
// newline or NUL could split a field or forge a line: every string of a manifest (keys
// included) is refused with a C0 control character or DEL in it. Free text is the
// exception: environment values and the arguments after a command's path (a multi-line
// `sh -c` script) reach only the app, in NUL-terminated fields, so they may hold anything
// but NUL. Every string must also be valid Unicode (no lone UTF-16 surrogate), so that it
// is written as it was read.
import { isJsonObject } from "./json-checks";
import { joinPath, Problems } from "./manifest-error";

const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;
const FREE_TEXT = /(^|\.)(environment\[\d+\]\.value|exec\[[1-9]\d*\])$/;

function codePoint(character: string): string {
  return `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Why `text` may not be a manifest string, or undefined; `freeText` allows all but NUL. */
export function controlCharacterProblem(text: string, freeText = false): string | undefined {
  if (!text.isWellFormed()) return "must be valid Unicode (it holds a lone UTF-16 surrogate)";
  const found = freeText ? (text.includes("\0") ? "\0" : undefined) : CONTROL_CHARACTER.exec(text)?.[0];
  if (found === undefined) return undefined;
  return freeText ? "must not contain a NUL character" : `must not contain control characters (found ${codePoint(found)})`;
}

/**
 * Records a problem for every string below `value` (a parsed manifest or part of one at
 * `path`) that holds a control character, or a NUL in free text.
 */
export function checkControlCharacters(value: unknown, path: string, problems: Problems): void {
  if (typeof value === "string") {
    const problem = controlCharacterProblem(value, FREE_TEXT.test(path));
    if (problem) problems.add(path, problem);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkControlCharacters(item, joinPath(path, i), problems));
  } else if (isJsonObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = controlCharacterProblem(key);
      // The key itself cannot be shown in the path: name its parent.
      if (keyProblem) problems.add(path, `a key ${keyProblem}`);
      else checkControlCharacters(item, joinPath(path, key), problems);
    }
  }
}

/** Throws a ManifestError naming every string below `value` (at `path`) that `checkControlCharacters` refuses. */
export function refuseControlCharacters(value: unknown, path: string): void {
  const problems = new Problems();
  checkControlCharacters(value, path, problems);
  problems.throwIfAny();
}
