import { shortImageId } from "../appc";
import { fetchImages } from "../fetch";
import { withStore } from "../store";
import { asksForHelp, parseAppArgs } from "./app-args";
import { rktCommand } from "./command";
import { RktError, UsageError } from "./errors";
import { globalFlagDefs } from "./globals";

// rkt-cli.md §3.4: parses its own tokens so that --signature attaches to the image before it.
export default rktCommand({
  usage: "[--signature=FILE] IMAGE [--signature=FILE] [IMAGE ...]",
  parse: "raw",
  args: {
    signature: { type: "string", description: "local signature file to use in validating the preceding image" },
  },
  async run({ args, rawArgs, help, globalsFrom }) {
    if (asksForHelp(rawArgs)) {
      process.stdout.write(help());
      return;
    }
    const values = { ...args };
    const images = parseAppArgs(rawArgs, globalFlagDefs, values, { allowAppArgs: false });
    if (images.some((image) => image.exec !== undefined)) throw new UsageError("unknown flag: --exec");
    if (images.length === 0) throw new RktError("must provide at least one image");
    const { dir, insecureSkipVerify, insecureTls, insecureHttp, systemConfig, localConfig, trustKeysFromHttps } = globalsFrom(values);
    const toFetch = images.map((image) => ({ ref: image.image, signature: image.signature }));
    const opts = {
      local: false,
      insecureSkipVerify,
      insecureTls,
      insecureHttp,
      trustKeysFromHttps,
      keystore: { systemConfig, localConfig },
      onSignatureVerified: (message: string) => process.stderr.write(message),
    };
    await withStore(dir, (store) => fetchImages(store, toFetch, opts, (key) => process.stdout.write(`${shortImageId(key)}\n`)));
  },
});
