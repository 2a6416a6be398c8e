/* The host side's go to the pod's PID 1: sent once the ID maps and the `pid` file exist, it
 * carries the stage1 rootfs as a descriptor opened through /proc/<pid1>/root, so that it
 * names the mount in the pod's own mount namespace and needs no search permission on the
 * pod directory (which a user-namespaced PID 1 lacks). */
#ifndef STAGE1_HANDOFF_H
#define STAGE1_HANDOFF_H

#include <sys/types.h>

/* Both ends of the channel: [0] for PID 1, [1] for the host side. */
void open_handoff(int ends[2]);
/* Host side: opens STAGE1_ROOT (relative to the working directory) as PID1 sees it, sends it. */
void send_go(int end, pid_t pid1, const char *stage1_root);
/* PID 1: waits for the go and returns the stage1 rootfs descriptor. */
int receive_go(int end);

#endif
