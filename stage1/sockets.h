/* Socket activation: listening sockets opened by the pod and handed to an app as fds 3...
 * with LISTEN_FDS and LISTEN_PID (the systemd protocol). */
#ifndef STAGE1_SOCKETS_H
#define STAGE1_SOCKETS_H

#include "pod_config.h"

/* In the pod's network namespace: opens APP's sockets (IPv6 with IPv4 mapped, else IPv4). */
void open_app_sockets(struct app *app);
/* In the app's process: moves the sockets to fds 3.. and sets LISTEN_FDS/LISTEN_PID. */
void pass_app_sockets(const struct app *app, char **environment);

#endif
