import { rktCommand } from "./command";
import { globals } from "./globals";
import { installDataDir } from "../store";

export default rktCommand({
  name: "install",
  description: "Set up rkt data directories with correct permissions",
  maxArgs: 0,
  run() {
    installDataDir(globals().dir);
    process.stderr.write("rkt directory structure successfully created.\n");
  },
});
