/* Connecting to a local service's Unix socket (journald, the system bus), where the
 * service's absence is a normal case, not an error. */
#ifndef STAGE1_UNIX_SOCKET_H
#define STAGE1_UNIX_SOCKET_H

/* A socket of TYPE (SOCK_STREAM, SOCK_DGRAM) connected to PATH, close-on-exec; -1 when
 * nothing listens there, said in a debug line naming WHAT. */
int connect_unix_socket(const char *path, int type, const char *what);

#endif
