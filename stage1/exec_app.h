/* What every process run in an app shares, whether launched by init or by enter: the app's
 * environment file and the PATH lookup inside the app root, with a one-line diagnosis. */
#ifndef STAGE1_EXEC_APP_H
#define STAGE1_EXEC_APP_H

#include "pod_config.h"

/* A copy of the NULL-terminated ENTRIES with room for EXTRA more entries. */
char **environment_with_room(char *const *entries, int extra);
/* Reads /rkt/env/<app> (in the pod root) into a NULL-terminated environment, with room for
 * EXTRA more entries. */
char **load_app_environment(const char *app_name, int extra);
/* Appends "NAME=VALUE" to an environment made by environment_with_room. */
void add_environment(char **environment, const char *name, const char *value);
/* The value of NAME in ENVIRONMENT, or NULL. */
const char *environment_value(char *const *environment, const char *name);
/* Enters the app root: chroot to /opt/stage2/<app>/rootfs. */
void chroot_into_app(const char *app_name);
/* no_new_privs and the seccomp filter, as APP asks. Before the identity change: without
 * no_new_privs, installing a filter takes the CAP_SYS_ADMIN that leaving root drops; no
 * call made after it is filtered. */
void confine_app_process(const struct app *app);
/* Looks ARGV[0] up with the environment's PATH and execs it; on failure prints why and
 * exits 127 (not found) or 126 (not executable). */
_Noreturn void exec_command(char *const *argv, char *const *environment);

#endif
