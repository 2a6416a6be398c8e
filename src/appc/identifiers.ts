// AC Identifier (image, label, annotation, isolator names) and AC Name (app, volume,
// mount point, port names), appc.md §1.

const acIdentifier = /^[a-z0-9]+([-._~/][a-z0-9]+)*$/;
const acIdentifierBadChar = /[^a-z0-9\-._~/]/;
const acName = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const acNameBadChar = /[^a-z0-9-]/;

export function isACIdentifier(s: string): boolean {
  return acIdentifier.test(s);
}

export function isACName(s: string): boolean {
  return acName.test(s);
}

/** Why `s` is not an AC Identifier, or undefined when it is one. */
export function acIdentifierProblem(s: string): string | undefined {
  if (s === "") return "must be set";
  if (isACIdentifier(s)) return undefined;
  if (acIdentifierBadChar.test(s)) return `"${s}" is not a valid AC identifier: only lower-case letters, digits and -._~/ are allowed`;
  return `"${s}" is not a valid AC identifier: must start and end with a letter or digit, with no two separators in a row`;
}

/** Why `s` is not an AC Name, or undefined when it is one. */
export function acNameProblem(s: string): string | undefined {
  if (s === "") return "must be set";
  if (isACName(s)) return undefined;
  if (acNameBadChar.test(s)) return `"${s}" is not a valid AC name: only lower-case letters, digits and - are allowed`;
  return `"${s}" is not a valid AC name: must start and end with a letter or digit, with no two dashes in a row`;
}

/**
 * Lower-cases, turns every invalid character into `-` and strips edge dashes; dash runs
 * are merged too, so the result is always a valid AC Name.
 */
export function sanitizeACName(s: string): string {
  const name = s
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  if (name === "") throw new Error(`cannot make an AC name from "${s}": it has no letter or digit`);
  return name;
}

/** The default app name of an image: its last `/` component as an AC Name (`coreos.com/etcd` -> `etcd`). */
export function appNameFromImageName(imageName: string): string {
  return sanitizeACName(imageName.slice(imageName.lastIndexOf("/") + 1));
}
