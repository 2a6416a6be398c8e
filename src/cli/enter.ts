import { rktCommand } from "./command";
import { UsageError, requireRoot } from "./errors";
import { enterPod } from "../pod";
import { withStore } from "../store";

export default rktCommand({
  usage: "[--app=APPNAME] UUID [CMD [ARGS ...]]",
  details: [
    "Runs CMD (default /bin/bash, else /bin/sh) in the namespaces and root filesystem of an",
    "app of a running pod; --app is required when the pod has several apps. Everything after",
    "UUID belongs to CMD. Exits with CMD's status.",
  ],
  parse: "stop-at-positional",
  args: {
    app: { type: "string", description: "name of the app to enter within the specified pod" },
  },
  async run({ args, rest, globals }) {
    const [uuid, ...command] = rest;
    if (uuid === undefined) throw new UsageError("UUID is required");
    requireRoot();
    const { dir } = globals;
    return enterPod({
      dataDir: dir,
      uuid,
      app: args.app as string | undefined,
      command,
      stage1Tree: (key) => withStore(dir, (store) => store.renderTree(key)),
    });
  },
});
