import { rktCommand } from "./command";
import { APPC_VERSION } from "../version";

export default rktCommand({
  maxArgs: 0,
  run() {
    process.stdout.write(`actool version ${APPC_VERSION}\n`);
  },
});
