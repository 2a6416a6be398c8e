// The command tree, as citty commands. Each command's meta (name, description) is written
// here and nowhere else, so that help lists a group from its nodes alone, loading no command
// module; a command's module (its flags and run) is imported only when that command runs.
import type { CommandDef } from "citty";
import type { RktCommand } from "./command";

export interface CommandNode extends CommandDef {
  meta: { name: string; description: string; hidden?: boolean };
  /** A group's commands, by name. */
  subCommands?: Record<string, CommandNode>;
  /** A command's module. */
  load?: () => Promise<{ default: RktCommand }>;
  /** Starts a pod: the dispatcher warms up cgroup migration before loading the module. */
  startsPod?: boolean;
}

function command(name: string, description: string, load: CommandNode["load"], opts: { startsPod?: boolean } = {}): CommandNode {
  return { meta: { name, description }, load, ...opts };
}

function group(name: string, description: string, nodes: CommandNode[], opts: { hidden?: boolean } = {}): CommandNode {
  return { meta: { name, description, ...opts }, subCommands: Object.fromEntries(nodes.map((n) => [n.meta.name, n])) };
}

/** An older name of `node`, answered only when typed in full. */
function alias(name: string, node: CommandNode): CommandNode {
  return { ...node, meta: { ...node.meta, name, hidden: true } };
}

const imageList = command("list", "List images in the local store", () => import("./image-list"));
const imageRm = command("rm", "Remove image(s) with the given key(s) from the local store", () => import("./image-rm"));

const image = group("image", "Operate on an image in the local store", [
  command("cat-manifest", "Inspect and print the image manifest", () => import("./image-cat-manifest")),
  command("export", "Export a stored image to an aci file, or to an OCI image layout directory", () => import("./image-export")),
  command("extract", "Extract a stored image to a directory", () => import("./image-extract")),
  command("gc", "Garbage collect local store", () => import("./image-gc")),
  imageList,
  command("render", "Render a stored image to a directory with all its dependencies", () => import("./image-render")),
  imageRm,
  command("verify", "Check stored images against their IDs and rebuild damaged rendered trees", () => import("./image-verify")),
]);

const actool = group(
  "actool",
  "Build, validate and patch App Container images",
  [
    command("build", "Build an ACI from a given directory", () => import("./actool-build")),
    command("cat-manifest", "Print the manifest from an ACI", () => import("./actool-cat-manifest")),
    command("discover", "Discover the download URLs for an app", () => import("./actool-discover")),
    command("patch-manifest", "Copy an ACI and patch its manifest", () => import("./actool-patch-manifest")),
    command("validate", "Validate one or more AppContainer files", () => import("./actool-validate")),
    command("version", "Print the version and exit", () => import("./actool-version")),
  ],
  { hidden: true },
);

/** The root when the binary is invoked as `actool`. */
export const actoolRoot: CommandNode = { ...actool, meta: { name: "actool", description: "actool, the App Container tool" } };

export const rktRoot = group("rkt", "rkt, the application container runner", [
  command("cat-manifest", "Inspect and print the pod manifest (or, given an image, the image manifest)", () => import("./cat-manifest")),
  command("completion", "Output shell completion code for bash, zsh or fish", () => import("./completion")),
  command("enter", "Enter the namespaces of an app within a rkt pod", () => import("./enter")),
  command("fetch", "Fetch image(s) and store them in the local cache", () => import("./fetch")),
  command("gc", "Garbage-collect rkt pods no longer in use", () => import("./gc")),
  // No module: the dispatcher answers `rkt help [command]` in every group.
  { meta: { name: "help", description: "Help about any command" } },
  image,
  command("install", "Set up rkt data directories with correct permissions", () => import("./install")),
  command("list", "List pods", () => import("./list")),
  command("metadata-service", "Run metadata service", () => import("./metadata-service")),
  command("prepare", "Prepare to run image(s) in a pod in rkt", () => import("./prepare")),
  command("rm", "Remove all files and resources associated with an exited pod", () => import("./rm")),
  command("run", "Run image(s) in a pod in rkt", () => import("./run"), { startsPod: true }),
  command("run-prepared", "Run a prepared application pod in rkt", () => import("./run-prepared"), { startsPod: true }),
  command("status", "Check the status of a rkt pod", () => import("./status")),
  command("stop", "Stop a running pod", () => import("./stop")),
  command("trust", "Trust a key for image verification", () => import("./trust")),
  command("version", "Print the version and exit", () => import("./version")),
  actool,
  // Older names kept for scripts written against rkt before v0.7.
  alias("images", imageList),
  alias("rmimage", imageRm),
]);

/**
 * Finds the command `word` names in `group`: an exact name, else the one command whose
 * name starts with it (`rkt ver` = `rkt version`). Hidden commands match only exactly.
 */
export function lookupCommand(group: CommandNode, word: string): CommandNode | undefined {
  const commands = group.subCommands ?? {};
  if (Object.hasOwn(commands, word)) return commands[word];
  const matches = Object.values(commands).filter((c) => !c.meta.hidden && c.meta.name.startsWith(word));
  return matches.length === 1 ? matches[0] : undefined;
}
