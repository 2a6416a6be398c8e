/** Exit codes; the README documents them. */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  /** rkt's own failure after a pod was created, so scripts can tell it from an app's status. */
  PodFailure: 254,
} as const;

/** An error meant for the user: one line, no stack trace unless --debug. */
export class RktError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.Failure,
  ) {
    super(message);
    this.name = "RktError";
  }
}

/** Bad command line: exit 2 with a pointer to the help. */
export class UsageError extends RktError {
  constructor(message: string) {
    super(message, ExitCode.Usage);
    this.name = "UsageError";
  }
}

/** A flag the command does not have, or a bad flag value: the user is pointed to the command's help. */
export class FlagUsageError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = "FlagUsageError";
  }
}

/** The commands that members of group rkt may run once root has run `rkt install` (README, Commands). */
const GROUP_RKT_COMMANDS = ["fetch", "image list", "image cat-manifest", "image export", "image extract", "image render"];

/** Permission errors met by a non-root user running `command` say what to do about them. */
export function withPermissionHint(message: string, command: string, isRoot = process.geteuid?.() === 0): string {
  if (isRoot || !/permission denied|operation not permitted/i.test(message)) return message;
  const remedy = GROUP_RKT_COMMANDS.includes(command) ? "try again as root, or as a member of group rkt once root has run 'rkt install'" : "try again as root";
  return `${message} (rkt needs root privileges for this: ${remedy})`;
}

/**
 * Pods need namespaces and mounts: the commands that make or enter one refuse a non-root
 * user up front instead of leaving a half-made pod behind.
 */
export function requireRoot(isRoot = process.geteuid?.() === 0): void {
  if (!isRoot) throw new RktError("pods need root privileges (namespaces and mounts): try again as root");
}
