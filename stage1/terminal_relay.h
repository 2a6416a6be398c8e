/* The host side of --interactive on a terminal, as systemd-nspawn does it: rkt's terminal
 * (stdin) in raw mode, its size copied to the pod's terminal (also on SIGWINCH), the bytes
 * relayed both ways, the app's output also appended to its log, and nspawn's escape: `^]`
 * pressed three times within a second kills the pod. */
#ifndef STAGE1_TERMINAL_RELAY_H
#define STAGE1_TERMINAL_RELAY_H

#include <sys/types.h>

/* Relays between rkt's terminal and MASTER_FD (the pod terminal's master, see
 * pod_terminal.h) until POD_PID1 has exited (it stays a zombie, for the caller to reap),
 * appending everything the app's terminal shows to LOG_FD. The escape kills POD_PID1 with
 * SIGKILL (which ends every process of the pod at once) and is not passed on to the app.
 * The terminal's mode is restored when this returns, and when stage1 dies on an error
 * meanwhile. */
void relay_pod_terminal(int master_fd, pid_t pod_pid1, int log_fd);

#endif
