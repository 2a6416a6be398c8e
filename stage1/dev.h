/* The minimal /dev of the pod and of each app (appc executor: null, zero, full, random,
 * urandom, tty, console, pts, ptmx, shm). */
#ifndef STAGE1_DEV_H
#define STAGE1_DEV_H

/* A tmpfs /dev in STAGE1_ROOT with the host's device nodes bound in, a private devpts
 * instance and a /dev/shm tmpfs. */
void mount_pod_dev(const char *stage1_root);
/* The terminal stage1 runs on, which becomes the pod's console; /dev/null without one. */
const char *pod_console_source(void);
/* Binds the pod's device nodes, /dev/pts, /dev/ptmx and /dev/shm into the app root APP_ROOT_FD. */
void mount_app_dev(const char *stage1_root, int app_root_fd, const char *app_name);

#endif
