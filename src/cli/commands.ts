// The command tree. Descriptions live here so that `rkt help` loads no command module;
// each command's module is imported only when that command runs.
import type { RktCommand } from "./command";

export interface CommandEntry {
  description: string;
  hidden?: boolean;
  /** Starts a pod: the dispatcher warms up cgroup migration before loading the module. */
  startsPod?: boolean;
  load?: () => Promise<{ default: RktCommand }>;
  subcommands?: CommandTable;
}
export type CommandTable = Record<string, CommandEntry>;

const imageCommands: CommandTable = {
  "cat-manifest": { description: "Inspect and print the image manifest", load: () => import("./image-cat-manifest") },
  export: { description: "Export a stored image to an aci file", load: () => import("./image-export") },
  extract: { description: "Extract a stored image to a directory", load: () => import("./image-extract") },
  gc: { description: "Garbage collect local store", load: () => import("./image-gc") },
  list: { description: "List images in the local store", load: () => import("./image-list") },
  render: { description: "Render a stored image to a directory with all its dependencies", load: () => import("./image-render") },
  rm: { description: "Remove image(s) with the given key(s) from the local store", load: () => import("./image-rm") },
  verify: { description: "Check stored images against their IDs and rebuild damaged rendered trees", load: () => import("./image-verify") },
};

const actoolCommands: CommandTable = {
  build: { description: "Build an ACI from a given directory", load: () => import("./actool-build") },
  "cat-manifest": { description: "Print the manifest from an ACI", load: () => import("./actool-cat-manifest") },
  discover: { description: "Discover the download URLs for an app", load: () => import("./actool-discover") },
  "patch-manifest": { description: "Copy an ACI and patch its manifest", load: () => import("./actool-patch-manifest") },
  validate: { description: "Validate one or more AppContainer files", load: () => import("./actool-validate") },
  version: { description: "Print the version and exit", load: () => import("./actool-version") },
};

export const commandTable: CommandTable = {
  enter: { description: "Enter the namespaces of an app within a rkt pod", load: () => import("./enter") },
  fetch: { description: "Fetch image(s) and store them in the local cache", load: () => import("./fetch") },
  gc: { description: "Garbage-collect rkt pods no longer in use", load: () => import("./gc") },
  // Handled by the dispatcher itself: `rkt help [command]`.
  help: { description: "Help about any command" },
  image: { description: "Operate on an image in the local store", subcommands: imageCommands },
  install: { description: "Set up rkt data directories with correct permissions", load: () => import("./install") },
  list: { description: "List pods", load: () => import("./list") },
  "metadata-service": { description: "Run metadata service", load: () => import("./metadata-service") },
  prepare: { description: "Prepare to run image(s) in a pod in rkt", load: () => import("./prepare") },
  rm: { description: "Remove all files and resources associated with an exited pod", load: () => import("./rm") },
  run: { description: "Run image(s) in a pod in rkt", startsPod: true, load: () => import("./run") },
  "run-prepared": { description: "Run a prepared application pod in rkt", startsPod: true, load: () => import("./run-prepared") },
  status: { description: "Check the status of a rkt pod", load: () => import("./status") },
  stop: { description: "Stop a running pod", load: () => import("./stop") },
  trust: { description: "Trust a key for image verification", load: () => import("./trust") },
  version: { description: "Print the version and exit", load: () => import("./version") },
  actool: { description: "Build, validate and patch App Container images", subcommands: actoolCommands, hidden: true },
  // Older names kept for scripts written against rkt before v0.7.
  images: { description: "List images in the local store", hidden: true, load: () => import("./image-list") },
  rmimage: { description: "Remove image(s) from the local store", hidden: true, load: () => import("./image-rm") },
  "cat-manifest": { description: "Inspect and print the image manifest", hidden: true, load: () => import("./image-cat-manifest") },
};

/**
 * Finds the entry for `word` in `table`: an exact name, else the one command whose name
 * starts with it (`rkt ver` = `rkt version`). Hidden aliases match only exactly.
 */
export function lookupCommand(table: CommandTable, word: string): [string, CommandEntry] | undefined {
  const exact = table[word];
  if (exact) return [word, exact];
  const matches = Object.entries(table).filter(([name, e]) => !e.hidden && name.startsWith(word));
  return matches.length === 1 ? matches[0] : undefined;
}
