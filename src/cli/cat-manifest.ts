// `rkt cat-manifest`: rkt 1.x prints the manifest of the pod a UUID names; v0.8.0's hidden
// alias of `image cat-manifest` took an image, and any other argument still means one.
import { isUuid, prettyManifest, serializePodManifest } from "../appc";
import { Pod, readPodManifest } from "../pod";
import { rktCommand } from "./command";
import { UsageError } from "./errors";
import { printOut } from "./output";
import { catManifestFlags, printImageManifest } from "./image-cat-manifest";

export default rktCommand({
  usage: "[--pretty-print] UUID|IMAGE",
  details: ["A full pod UUID prints that pod's manifest (rkt 1.x); anything else names an image, as for 'rkt image cat-manifest'."],
  args: catManifestFlags,
  run({ args, globals }) {
    if (args._.length !== 1) throw new UsageError("must provide exactly one pod UUID or image");
    const ref = args._[0]!;
    const pretty = args["pretty-print"] as boolean;
    if (!isUuid(ref)) return printImageManifest(globals.dir, ref, pretty);
    const manifest = readPodManifest(Pod.resolve(globals.dir, ref).path);
    return printOut(`${pretty ? prettyManifest(manifest) : serializePodManifest(manifest)}\n`);
  },
});
