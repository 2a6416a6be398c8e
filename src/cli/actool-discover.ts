import { discoverImageEndpoints, discoverPublicKeys, parseImageString, withHostOsArch } from "../appc";
import { httpClient } from "../http";
import { rktCommand } from "./command";
import { RktError, UsageError } from "./errors";

// appc.md §3.4, §9: shows what meta discovery finds for each app string.
export default rktCommand({
  usage: "[--insecure] APP...",
  args: {
    insecure: { type: "boolean", default: false, description: "also try discovery over plain http" },
  },
  async run({ args }) {
    if (args._.length === 0) throw new UsageError("expected at least one APP");
    const allowHttp = args.insecure as boolean;
    const opts = { allowHttp, get: httpClient({ allowHttpDowngrade: allowHttp }) };
    for (const app of args._) {
      const { name, labels } = parseImageString(app);
      try {
        for (const endpoint of await discoverImageEndpoints(name, withHostOsArch(labels), opts)) process.stdout.write(`ACI: ${endpoint.aci}, ASC: ${endpoint.signature}\n`);
        for (const key of await discoverPublicKeys(name, opts)) process.stdout.write(`Keys: ${key}\n`);
      } catch (err) {
        throw new RktError(`error fetching endpoints for ${app}: ${(err as Error).message}`);
      }
    }
  },
});

