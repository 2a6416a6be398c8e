// The one encoding of every file stage0 hands to stage1 under `rkt/` (stage1/README.md,
// "Encoding"): each field ends with a NUL byte and a file is a run of records of a fixed
// number of fields. No value can end a field early or start a record, since none may hold
// a NUL; a value that cannot be written as it is (a NUL, not valid Unicode, too long for
// stage1) is refused here, before any pod exists, instead of being altered.

/** The longest field of each kind stage1 accepts, in bytes (stage1/files.h). */
export const FieldLimit = {
  /** Names, keywords and decimal numbers. */
  name: 255,
  /** Paths: PATH_MAX with its NUL. */
  path: 4095,
  /** argv and environment entries: the kernel's MAX_ARG_STRLEN with its NUL. */
  string: 131071,
} as const;

/**
 * Why `value` cannot be a field of at most `limit` bytes, or undefined when it can. The
 * message names neither the field nor its value, which may be long or unprintable.
 */
export function fieldProblem(value: string, limit: number): string | undefined {
  if (value.includes("\0")) return "holds a NUL character";
  if (!value.isWellFormed()) return "is not valid Unicode (a lone UTF-16 surrogate)";
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > limit) return `is ${bytes} bytes long, at most ${limit} allowed`;
  return undefined;
}

/**
 * The file of `records` (each of the same number of fields); `what` names the file's
 * content in the error, e.g. `exec of app "web"`.
 */
export function encodeRecords(records: readonly (readonly string[])[], limit: number, what: string): Buffer {
  const fields = records.flat();
  fields.forEach((field, i) => {
    const problem = fieldProblem(field, limit);
    if (problem) throw new Error(`cannot hand ${what} to stage1: field ${i + 1} ${problem}`);
  });
  return Buffer.from(fields.map((f) => `${f}\0`).join(""), "utf8");
}

/** One field per record: argv, environment entries, app names, numbers. */
export function encodeList(values: readonly (string | number)[], limit: number, what: string): Buffer {
  return encodeRecords(values.map((v) => [String(v)]), limit, what);
}

/** The records of a file `encodeRecords` wrote (its bytes or their text); throws on anything it could not have written. */
export function decodeRecords(content: Buffer | string, fieldsPerRecord: number, what: string): string[][] {
  const text = typeof content === "string" ? content : content.toString("utf8");
  if (text.length > 0 && !text.endsWith("\0")) throw new Error(`${what}: the last field has no NUL terminator`);
  const fields = text.length === 0 ? [] : text.slice(0, -1).split("\0");
  if (fields.length % fieldsPerRecord !== 0) throw new Error(`${what}: ${fields.length} fields do not make records of ${fieldsPerRecord} fields`);
  const records: string[][] = [];
  for (let i = 0; i < fields.length; i += fieldsPerRecord) records.push(fields.slice(i, i + fieldsPerRecord));
  return records;
}
