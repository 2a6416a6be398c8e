/* The files stage0 left for the apps' /etc (README.md, "Files for the apps' /etc"): the
 * time zone, resolv.conf and hosts, bound read-only into each app root. */
#ifndef STAGE1_APP_ETC_H
#define STAGE1_APP_ETC_H

#include "pod_config.h"

/* Binds STAGE1_ROOT/rkt/etc/override/NAME over /etc/NAME of the app, and
 * STAGE1_ROOT/rkt/etc/default/NAME where the app has no /etc/NAME (not even a symlink).
 * ROOT_FD is the app root; every target is resolved inside it. */
void bind_pod_etc_files(const struct app *app, int root_fd, const char *stage1_root);

#endif
