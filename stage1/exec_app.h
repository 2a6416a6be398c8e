/* What every process run in an app shares, whether launched by init or by enter: the app's
 * environment file and the PATH lookup inside the app root, with a one-line diagnosis. */
#ifndef STAGE1_EXEC_APP_H
#define STAGE1_EXEC_APP_H

/* A copy of the NULL-terminated ENTRIES with room for EXTRA more entries. */
char **environment_with_room(char *const *entries, int extra);
/* Reads /rkt/env/<app> (in the pod root) into a NULL-terminated environment, with room for
 * EXTRA more entries. */
char **load_app_environment(const char *app_name, int extra);
/* Appends "NAME=VALUE" to an environment made by environment_with_room. */
void add_environment(char **environment, const char *name, const char *value);
/* Enters the app root: chroot to /opt/stage2/<app>/rootfs. */
void chroot_into_app(const char *app_name);
/* Looks ARGV[0] up with the environment's PATH and execs it; on failure prints why and
 * exits 127 (not found) or 126 (not executable). */
_Noreturn void exec_command(char *const *argv, char *const *environment);

#endif
