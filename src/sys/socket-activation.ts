// The systemd socket activation protocol, as a service sees it: the service manager passes
// listening sockets as descriptors from 3 and says how many in LISTEN_FDS, and for which
// process in LISTEN_PID. `rkt metadata-service` takes its registration socket this way;
// a socket-activated `rkt run` hands its sockets on to stage1 (stage1/README.md).

/** Where the protocol starts the passed descriptors. */
const FIRST_PASSED_FD = 3;
/** More than a process can have open below 65536 means the count is not meant for us. */
const MAX_PASSED_FDS = 65535 - FIRST_PASSED_FD;

/**
 * The descriptors passed to this process (LISTEN_FDS of them from fd 3, when LISTEN_PID
 * names it); empty when there are none or the variables are not ours.
 */
export function socketsPassedByServiceManager(env: Record<string, string | undefined> = process.env, pid = process.pid): number[] {
  const count = env.LISTEN_FDS;
  if (env.LISTEN_PID !== String(pid) || count === undefined || !/^\d+$/.test(count) || Number(count) > MAX_PASSED_FDS) return [];
  return Array.from({ length: Number(count) }, (_, i) => FIRST_PASSED_FD + i);
}

/** The protocol's environment variables. */
export const SOCKET_ACTIVATION_VARIABLES: readonly string[] = ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"];

/** Removes the protocol's variables, as sd_listen_fds does, so that no child takes them as its own. */
export function forgetPassedSockets(env: Record<string, string | undefined> = process.env): void {
  for (const name of SOCKET_ACTIVATION_VARIABLES) delete env[name];
}
