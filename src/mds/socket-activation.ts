// systemd socket activation for `rkt metadata-service` (rkt-internals §9): a service
// manager that opened the registration socket passes it as fd 3, announced by
// LISTEN_FDS (how many) and LISTEN_PID (for whom).

const FIRST_PASSED_FD = 3;

/**
 * The registration socket passed by socket activation, or undefined when there is none
 * for this process. Removes the variables, as sd_listen_fds does, so that no child takes
 * them as its own.
 */
export function takeActivatedSocket(env: Record<string, string | undefined> = process.env, pid = process.pid): number | undefined {
  const count = env.LISTEN_FDS;
  const owner = env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDNAMES;
  if (count === undefined || (owner !== undefined && owner !== String(pid))) return undefined;
  if (!/^\d+$/.test(count) || Number(count) < 1) throw new Error(`LISTEN_FDS="${count}": expected the number of sockets passed, at least 1`);
  return FIRST_PASSED_FD;
}
