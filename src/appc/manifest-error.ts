// Validation problems carry the JSON path of the offending value (`app.exec[0]`), so a
// user can find it in the manifest; all problems of one document are reported together.

export interface Problem {
  /** JSON path such as `labels[2].name`; empty for the document itself. */
  path: string;
  message: string;
}

/** `path: message; path: message` */
export function describeProblems(problems: readonly Problem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join("; ");
}

export class ManifestError extends Error {
  /** `source` names where the document was read, e.g. `bad image manifest in FILE`. */
  constructor(
    readonly problems: Problem[],
    source?: string,
  ) {
    super(source ? `${source}: ${describeProblems(problems)}` : describeProblems(problems));
    this.name = "ManifestError";
  }
}

/** Collects the problems found while walking one document. */
export class Problems {
  readonly list: Problem[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  throwIfAny(source?: string): void {
    if (this.list.length) throw new ManifestError(this.list, source);
  }
}

/** `joinPath("app", "exec")` = `app.exec`; `joinPath("app.exec", 0)` = `app.exec[0]`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}
