import { renderImage, TREE_REBUILD_WARNING, withStore } from "../store";
import { rktCommand } from "./command";
import { UsageError } from "./errors";

export default rktCommand({
  usage: "[--rootfs-only] [--overwrite] IMAGE OUTPUT_DIR",
  args: {
    "rootfs-only": { type: "boolean", default: false, description: "render rootfs only" },
    overwrite: { type: "boolean", default: false, description: "overwrite output directory" },
  },
  run({ args, globals }) {
    if (args._.length !== 2) throw new UsageError("must provide an image and an output directory");
    const [image, output] = args._ as [string, string];
    return withStore(globals.dir, (store) =>
      renderImage(store, store.resolveImageReference(image), output, {
        rootfsOnly: args["rootfs-only"] as boolean,
        overwrite: args.overwrite as boolean,
        onRebuild: () => process.stderr.write(TREE_REBUILD_WARNING),
      }),
    );
  },
});
