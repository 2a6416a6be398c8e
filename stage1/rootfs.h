/* The pod's root: the stage1 rootfs with /proc, /sys and /dev, made the root by pivot_root. */
#ifndef STAGE1_ROOTFS_H
#define STAGE1_ROOTFS_H

/* Mount propagation: nothing the pod mounts reaches the host. */
void make_mounts_private_to_pod(void);
/* Makes STAGE1_ROOT a mount point and mounts /proc and a read-only /sys in it. */
void mount_pod_root_filesystems(const char *stage1_root);
/* Makes STAGE1_ROOT "/" and detaches the host's tree. */
void enter_pod_root(const char *stage1_root);

#endif
