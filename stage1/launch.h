/* Starting one process of an app: the main process or an event handler. */
#ifndef STAGE1_LAUNCH_H
#define STAGE1_LAUNCH_H

#include <sys/types.h>

#include "app_output.h"
#include "pod_config.h"

enum app_role { ROLE_PRE_START, ROLE_MAIN, ROLE_POST_STOP };

/* Where an app's processes get stdin, stdout and stderr. */
struct app_stdio {
	enum {
		STDIO_OUTPUT_PIPES, /* /dev/null in, output through PID 1 (passed on and logged) */
		STDIO_INHERITED, /* PID 1's own: --interactive when stage1 runs on no terminal */
		STDIO_POD_TERMINAL, /* the pod's pseudo terminal: --interactive on a terminal */
	} kind;
	int terminal_fd; /* STDIO_POD_TERMINAL: the slave (see pod_terminal.h) */
};

/* Forks a process that joins APP's cgroups, gets its stdin, stdout and stderr as STDIO says
 * (OUTPUT: the app's pipes, for STDIO_OUTPUT_PIPES), enters the app root, takes the app's
 * environment, capabilities, groups, user and working directory, and execs ARGV. Returns its
 * PID (in the pod). */
pid_t launch_app_process(const struct app *app, char *const *argv, enum app_role role, const struct app_output *output,
			 const struct app_stdio *stdio);

#endif
