import { rktCommand } from "./command";
import { UsageError } from "./errors";
import { DEFAULT_APP_PORT, DEFAULT_REGISTRATION_SOCKET, startMetadataService } from "../mds";
import { forgetPassedSockets, socketsPassedByServiceManager } from "../sys";

export default rktCommand({
  usage: "[--listen-port=PORT] [--socket=PATH]",
  details: [
    "Serves the appc metadata API to apps on TCP (all IPv4 addresses) and takes pod",
    "registrations from rkt run over a Unix socket, until SIGINT or SIGTERM. Apps find it",
    "through AC_METADATA_URL, which carries their pod's token. Pods are kept in memory only.",
    "rkt run and run-prepared register on the socket named by RKT_METADATA_SOCKET when it",
    "is set; gc unregisters a pod through the socket it registered on. Started by systemd",
    "socket activation (LISTEN_FDS), it takes registrations on the socket passed as fd 3.",
  ],
  maxArgs: 0,
  args: {
    "listen-port": { type: "string", default: String(DEFAULT_APP_PORT), description: "listen port" },
    socket: { type: "string", default: DEFAULT_REGISTRATION_SOCKET, description: "Unix socket that takes pod registrations from rkt" },
  },
  async run({ args }) {
    const portText = args["listen-port"] as string;
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`invalid argument "${portText}" for --listen-port: must be a port number`);
    // The registration socket, when socket activation passed one (the first, fd 3).
    const [inheritedFd] = socketsPassedByServiceManager();
    forgetPassedSockets();
    const service = await startMetadataService({
      port,
      socketPath: args.socket as string,
      inheritedFd,
      log: (line) => void process.stdout.write(`${line}\n`),
    });
    const registrations = inheritedFd === undefined ? (args.socket as string) : `the socket passed as fd ${inheritedFd} (socket activation)`;
    process.stdout.write(`metadata service listening on port ${service.appPort}, registrations on ${registrations}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    service.stop();
  },
});
