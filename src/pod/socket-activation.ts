// `rkt run` started by the host's socket activation (rkt-internals §12, "Socket
// activation"): the descriptors the service manager passed to this process go on to stage1,
// which keeps the same PID and hands them to the apps (stage1/README.md).

/** Where the systemd protocol starts the passed descriptors. */
const FIRST_PASSED_FD = 3;
/** More than a process can have open below 65536 means the count is not meant for us. */
const MAX_PASSED_FDS = 65535 - FIRST_PASSED_FD;

/**
 * The descriptors passed to this process (LISTEN_FDS of them from fd 3, when LISTEN_PID
 * names it); empty when there are none or the variables are not ours. The variables stay:
 * stage1 reads them.
 */
export function socketsPassedToRkt(env: Record<string, string | undefined> = process.env, pid = process.pid): number[] {
  const count = env.LISTEN_FDS;
  if (env.LISTEN_PID !== String(pid) || count === undefined || !/^\d+$/.test(count) || Number(count) > MAX_PASSED_FDS) return [];
  return Array.from({ length: Number(count) }, (_, i) => FIRST_PASSED_FD + i);
}
