/* Starting one process of an app: the main process or an event handler. */
#ifndef STAGE1_LAUNCH_H
#define STAGE1_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "app_output.h"
#include "pod_config.h"

enum app_role { ROLE_PRE_START, ROLE_MAIN, ROLE_POST_STOP };

/* Forks a process that joins APP's cgroups, gets its output pipes (or the terminal when
 * INTERACTIVE), enters the app root, takes the app's environment, capabilities, groups, user
 * and working directory, and execs ARGV. Returns its PID (in the pod). */
pid_t launch_app_process(const struct app *app, char *const *argv, enum app_role role,
			 const struct app_output *output, bool interactive);

#endif
