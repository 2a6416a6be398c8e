/* What the pod's PID 1 does: build the pod's filesystem, enter it, supervise the apps. */
#ifndef STAGE1_POD_INIT_H
#define STAGE1_POD_INIT_H

#include <stdbool.h>

#include "pod_config.h"

/* Path of the stage1 rootfs, relative to the pod directory (the working directory). */
#define STAGE1_ROOT "stage1/rootfs"

/* Waits for the host side's go on HANDOFF_FD (see handoff.h), then runs the pod; never
 * returns. USER_NAMESPACE: it was cloned into a user namespace whose ID maps the host side
 * wrote before the go. */
_Noreturn void run_pod_init(struct pod *pod, bool interactive, bool user_namespace, int handoff_fd);

#endif
