import { rktCommand } from "./command";
import { globals } from "./globals";
import { printErr } from "./output";
import { installDataDir } from "../store";

export default rktCommand({
  name: "install",
  description: "Set up rkt data directories with correct permissions",
  maxArgs: 0,
  run() {
    installDataDir(globals().dir);
    printErr("rkt directory structure successfully created.\n");
  },
});
