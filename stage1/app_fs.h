/* Each app's filesystem: its root made a mount point, the executor's /proc, /sys, /dev and
 * /tmp, its volumes (host binds, and empty volumes shared between the apps), and the pod's
 * /etc files (app_etc.h). */
#ifndef STAGE1_APP_FS_H
#define STAGE1_APP_FS_H

#include "pod_config.h"

/* One tmpfs per empty volume name, under STAGE1_ROOT/rkt/volumes/<name>. */
void mount_empty_volumes(const struct pod *pod, const char *stage1_root);
/* Mounts everything the app sees below STAGE1_ROOT/opt/stage2/<app>/rootfs. */
void mount_app_filesystem(const struct app *app, const char *stage1_root);

#endif
