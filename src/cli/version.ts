import { rktCommand } from "./command";
import { printOut } from "./output";
import { APPC_VERSION, RKT_CLI_VERSION } from "../version";

export default rktCommand({
  maxArgs: 0,
  run() {
    return printOut(`rkt version ${RKT_CLI_VERSION}\nappc version ${APPC_VERSION}\n`);
  },
});
