/* Mount primitives: fresh filesystems by path, and bind mounts moved onto descriptors that
 * were resolved inside an app root (new mount API: open_tree, mount_setattr, move_mount). */
#ifndef STAGE1_MOUNTS_H
#define STAGE1_MOUNTS_H

#include <stdbool.h>

/* mount(2) of a new filesystem or a bind by path; dies naming TARGET. */
void mount_or_die(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data);
/* A detached copy of the mount tree at SOURCE (recursive), optionally made read-only. */
int clone_mount_tree(const char *source, bool read_only);
/* Attaches a tree from clone_mount_tree() on the object TARGET_FD refers to; closes both. */
void attach_mount_tree(int tree_fd, int target_fd, const char *target_name);
/* True when PATH is a directory (following symlinks). */
bool is_directory(const char *path);

#endif
