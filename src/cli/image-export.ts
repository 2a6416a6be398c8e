import { exportImage, withStore } from "../store";
import { rktCommand } from "./command";
import { UsageError } from "./errors";

export default rktCommand({
  usage: "[--overwrite] [--format=aci|oci] [--ref=NAME] IMAGE OUTPUT_ACI_FILE|OUTPUT_DIR",
  args: {
    overwrite: { type: "boolean", default: false, description: "overwrite output ACI" },
    format: { type: "string", default: "aci", description: "aci (a file), or oci (an OCI image layout directory, new or empty, as skopeo and podman read it)" },
    ref: { type: "string", description: "with --format=oci: the image's name in the layout (org.opencontainers.image.ref.name; default NAME:VERSION)" },
  },
  run({ args, globals }) {
    if (args._.length !== 2) throw new UsageError("must provide an image and an output file");
    const [image, output] = args._ as [string, string];
    const format = args.format as string;
    if (format !== "aci" && format !== "oci") throw new UsageError(`unknown export format "${format}" (aci or oci)`);
    if (format === "aci" && args.ref !== undefined) throw new UsageError("--ref names the image in an OCI layout: use it with --format=oci");
    if (format === "oci" && args.overwrite) throw new UsageError("--overwrite is for ACI files: an OCI layout goes to a new or empty directory");
    return withStore(globals.dir, async (store) => {
      const key = store.resolveImageReference(image);
      if (format === "aci") return exportImage(store, key, output, args.overwrite as boolean);
      return (await import("../docker")).exportOciLayout(store, key, output, args.ref as string | undefined);
    });
  },
});
