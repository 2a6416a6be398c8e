/* The life of the pod, run by its PID 1: start every app (pre-start, main, post-stop), pass
 * their output on, reap every process, stop the pod when an app fails or on SIGTERM/SIGINT,
 * and record each app's status. */
#ifndef STAGE1_SUPERVISOR_H
#define STAGE1_SUPERVISOR_H

#include "launch.h"
#include "pod_config.h"

/* STDIO: where the apps' stdin, stdout and stderr are. Returns the pod's exit status: the
 * first failing app's (128 + signal when killed), else 0. */
int supervise_pod(struct pod *pod, const struct app_stdio *stdio);

#endif
