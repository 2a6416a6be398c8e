/* The kernel interfaces no app may change or read, even one that keeps CAP_SYS_ADMIN (the
 * seccomp filter keeps the mount calls that could undo this denied). */
#ifndef STAGE1_MASKED_PATHS_H
#define STAGE1_MASKED_PATHS_H

#include "pod_config.h"

/* Below the pod's /proc and /sys in STAGE1_ROOT (the apps get recursive binds of them):
 * covers the host's secrets (/proc/kcore, /proc/keys, /sys/firmware, ...) with /dev/null or
 * an empty read-only tmpfs, and makes the kernel's writable knobs (/proc/sysrq-trigger,
 * /proc/irq, ...) read-only. Paths the kernel lacks are skipped. */
void mask_kernel_interfaces(const char *stage1_root);
/* In an app that keeps CAP_SYS_PTRACE: covers /proc/1 (the pod's PID 1) in its root
 * (ROOT_FD) with an empty read-only tmpfs, so that /proc/1/mem cannot reach PID 1. */
void hide_pod_init_from_tracer(const struct app *app, int root_fd);

#endif
