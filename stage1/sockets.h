/* Socket activation: listening sockets handed to an app as fds 3.. with LISTEN_FDS and
 * LISTEN_PID (the systemd protocol), either handed through from the host's service manager
 * that started `rkt run` or opened by the pod. */
#ifndef STAGE1_SOCKETS_H
#define STAGE1_SOCKETS_H

#include "pod_config.h"

/* On the host side, in the process that keeps `rkt run`'s PID: takes the descriptors passed
 * to it (LISTEN_FDS/LISTEN_PID, variables then removed), marks them close-on-exec, gives each
 * to the app port of its type and port number, and closes (with a warning) those no app
 * port matches. */
void adopt_inherited_sockets(struct pod *pod);
/* In the pod's network namespace: opens APP's sockets not handed through from the host
 * (IPv6 with IPv4 mapped, else IPv4). */
void open_app_sockets(struct app *app);
/* In the app's process: moves the sockets to fds 3.. and sets LISTEN_FDS/LISTEN_PID. */
void pass_app_sockets(const struct app *app, char **environment);

#endif
