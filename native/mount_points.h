/* Whether something is mounted on an entry of a directory. */
#ifndef RKT_MOUNT_POINTS_H
#define RKT_MOUNT_POINTS_H

/* 1 when `mountinfo` (the text of /proc/self/mountinfo) has no mount point directly inside the
 * directory open as `dir_fd`; 0 when it has one, or when that cannot be told. */
int nothing_mounted_on_entries(const char *mountinfo, int dir_fd);

#endif
