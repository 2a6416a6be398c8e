import { rktCommand } from "./command";
import { printErr } from "./output";
import { installDataDir } from "../store";

export default rktCommand({
  maxArgs: 0,
  run({ globals }) {
    installDataDir(globals.dir);
    printErr("rkt directory structure successfully created.\n");
  },
});
