/* The host side's go to the pod's PID 1, and PID 1's answer once the pod's filesystem is
 * ready (only then does the host side publish `pid`, so `rkt enter` never finds a half-built
 * pod). The go is sent once the ID maps exist; it carries the stage1 rootfs as a descriptor
 * opened through /proc/<pid1>/root, so that it names the mount in the pod's own mount
 * namespace and needs no search permission on the pod directory (which a user-namespaced
 * PID 1 lacks). The answer carries the master of the pod's terminal when there is one
 * (--interactive on a terminal), for the host side to relay. */
#ifndef STAGE1_HANDOFF_H
#define STAGE1_HANDOFF_H

#include <stdbool.h>
#include <sys/types.h>

/* Both ends of the channel: [0] for PID 1, [1] for the host side. */
void open_handoff(int ends[2]);
/* Host side: opens STAGE1_ROOT (relative to the working directory) as PID1 sees it, sends it. */
void send_go(int end, pid_t pid1, const char *stage1_root);
/* Host side: waits for PID 1's answer; false when PID 1 failed before it was ready.
 * *TERMINAL_FD: the master of the pod's terminal when PID 1 opened one, else -1. */
bool wait_until_ready(int end, int *terminal_fd);
/* PID 1: waits for the go and returns the stage1 rootfs descriptor. */
int receive_go(int end);
/* PID 1: the pod's filesystem is ready; TERMINAL_FD (or -1) goes to the host side. */
void send_ready(int end, int terminal_fd);

#endif
