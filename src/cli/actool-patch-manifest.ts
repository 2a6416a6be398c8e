import { applyManifestPatch, parseImageManifest, rewriteAciManifest, type ImageManifest, type ManifestPatch } from "../appc";
import { parseCapabilitiesFlag, parseIsolatorsFlag, parseMountPointsFlag, parsePortsFlag } from "./actool-patch-flags";
import { SIZE_LIMITS } from "../size-limits";
import { readFileBounded } from "../sys";
import { rktCommand } from "./command";
import { UsageError } from "./errors";
import { parseFlagValue } from "./flags";

const editFlags = ["name", "exec", "user", "group", "capability", "mounts", "ports", "isolators"] as const;

export default rktCommand({
  usage:
    "[--manifest=MANIFEST_FILE] [--name=example.com/app] [--exec=\"/app --debug\"] [--user=uid] [--group=gid] [--capability=CAP_A,CAP_B] [--mounts=work,path=/opt,readOnly=true[:...]] [--ports=query,protocol=tcp,port=8080[:...]] [--isolators=resource/cpu,request=50,limit=100[:...]] [--replace] [--overwrite] [--no-compression] INPUT_ACI_FILE [OUTPUT_ACI_FILE]",
  args: {
    manifest: { type: "string", description: "replace the whole manifest with this file; excludes the other editing flags" },
    name: { type: "string", description: "replace the image name" },
    exec: { type: "string", description: "replace the command line (split on spaces)" },
    user: { type: "string", description: "replace the user" },
    group: { type: "string", description: "replace the group" },
    capability: { type: "string", description: "set the capabilities retain-set (comma-separated)" },
    mounts: { type: "string", description: "replace the mount points" },
    ports: { type: "string", description: "replace the ports" },
    isolators: { type: "string", description: "add or replace isolators" },
    replace: { type: "boolean", default: false, description: "patch the input file in place" },
    overwrite: { type: "boolean", default: false, description: "overwrite the output file if it exists" },
    "no-compression": { type: "boolean", default: false, description: "do not gzip-compress the image" },
  },
  async run({ args }) {
    const files = args._;
    if (args.replace ? files.length !== 1 : files.length !== 2) {
      throw new UsageError(args.replace ? "with --replace, give only the INPUT_ACI_FILE" : "expected an INPUT_ACI_FILE and an OUTPUT_ACI_FILE (or --replace)");
    }
    const given = editFlags.filter((f) => args[f] !== undefined);
    let transform: (m: ImageManifest) => ImageManifest;
    if (args.manifest !== undefined) {
      if (given.length) throw new UsageError(`--manifest cannot be combined with --${given.join(", --")}`);
      const replacement = parseImageManifest(readFileBounded(args.manifest as string, SIZE_LIMITS.manifestFile).toString("utf8"), args.manifest as string);
      transform = () => replacement;
    } else {
      const text = (f: (typeof editFlags)[number]) => args[f] as string | undefined;
      const parsed = <T>(f: (typeof editFlags)[number], parse: (value: string) => T): T | undefined => {
        const value = text(f);
        return value === undefined ? undefined : parseFlagValue(f, value, parse);
      };
      const patch: ManifestPatch = {
        name: text("name"),
        exec: text("exec")?.split(" ").filter((a) => a !== ""),
        user: text("user"),
        group: text("group"),
        capabilities: parsed("capability", parseCapabilitiesFlag),
        mountPoints: parsed("mounts", parseMountPointsFlag),
        ports: parsed("ports", parsePortsFlag),
        isolators: parsed("isolators", parseIsolatorsFlag),
      };
      transform = (m) => applyManifestPatch(m, patch);
    }
    const [input, output = input] = files as [string, string?];
    await rewriteAciManifest(input, output!, transform, { compress: !args["no-compression"], overwrite: args.overwrite as boolean });
  },
});
