/* Paths inside an app root resolved by the kernel as if that root were "/" (openat2
 * RESOLVE_IN_ROOT), so a symlink in an image can never send a mount outside its app. */
#ifndef STAGE1_BENEATH_H
#define STAGE1_BENEATH_H

#include <sys/types.h>

/* O_PATH descriptor of PATH inside ROOT_FD; -1 with errno on failure. */
int open_beneath(int root_fd, const char *path, int flags);
/* Creates the directory PATH (and its parents) inside ROOT_FD; returns an O_PATH descriptor. */
int make_directories_beneath(int root_fd, const char *path, mode_t mode);
/* Makes PATH inside ROOT_FD an empty regular file usable as a bind-mount target (a symlink
 * there is replaced); returns an O_PATH descriptor. */
int make_file_beneath(int root_fd, const char *path);

#endif
