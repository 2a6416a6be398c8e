import { rktCommand } from "./command";
import { printOut } from "./output";
import { APPC_VERSION, RKT_VERSION } from "../version";

export default rktCommand({
  maxArgs: 0,
  run() {
    return printOut(`rkt version ${RKT_VERSION}\nappc version ${APPC_VERSION}\n`);
  },
});
