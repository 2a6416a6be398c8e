import { rktCommand } from "./command";
import { RktError } from "./errors";

// PLACEHOLDER: replaced by the module that implements this command.
export default rktCommand({
  name: "actool-build",
  description: "not built yet",
  run() {
    throw new RktError("not implemented yet");
  },
});
