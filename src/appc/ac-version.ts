// acVersion: a SemVer 2.0.0 version other than 0.0.0 (appc.md §1). Like the reference,
// only well-formedness is checked, not compatibility.

const semver =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** Why `s` is not a valid acVersion, or undefined. */
export function acVersionProblem(s: string): string | undefined {
  const m = semver.exec(s);
  if (!m) return `"${s}" is not a valid semantic version`;
  if (m[1] === "0" && m[2] === "0" && m[3] === "0") return "must not be 0.0.0";
  return undefined;
}
