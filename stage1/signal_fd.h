#ifndef STAGE1_SIGNAL_FD_H
#define STAGE1_SIGNAL_FD_H

#include <signal.h>

/* Blocks the signals listed (ended by 0) and returns a non-blocking signalfd reading them. */
int open_signal_fd(const int *signals);

/* How `machinectl poweroff` asks a container's PID 1 to shut down (systemd's own meaning of
 * SIGRTMIN+4): the pod stops as on SIGTERM. */
#define SIGNAL_POWEROFF (SIGRTMIN + 4)

#endif
