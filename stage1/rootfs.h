/* The pod's root: the stage1 rootfs with /proc, /sys and /dev, made the root by pivot_root. */
#ifndef STAGE1_ROOTFS_H
#define STAGE1_ROOTFS_H

/* Mount propagation: nothing the pod mounts reaches the host. */
void make_mounts_private_to_pod(void);
/* Covers the working directory (the stage1 rootfs) with a recursive bind of itself, so the
 * pod's root is a mount point, and moves into that mount. */
void make_pod_root_mount(void);
/* Mounts /proc (with a read-only /proc/sys) and a read-only /sys in STAGE1_ROOT. */
void mount_pod_root_filesystems(const char *stage1_root);
/* Makes the working directory "/" and detaches the host's tree. */
void pivot_into_pod_root(void);

#endif
