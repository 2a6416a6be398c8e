#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "files.h"
#include "mounts.h"
#include "text.h"

void make_mounts_private_to_pod(void)
{
	debug_message("make / recursively slave");
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		die_errno("make mounts slave", "/");
}

static void mount_sysfs_read_only(const char *target)
{
	if (mount("sysfs", target, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
		return;
	/* A user namespace that does not own the network namespace may not mount sysfs. */
	if (errno != EPERM)
		die_errno("mount sysfs on", target);
	debug_message("sysfs: falling back to a read-only bind of the host's /sys");
	int target_fd = open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (target_fd < 0)
		die_errno("open", target);
	attach_mount_tree(clone_mount_tree("/sys", true), target_fd, target);
}

/* The kernel's global settings in /proc/sys are not the pod's to change (as with nspawn). */
static void make_kernel_settings_read_only(const char *proc)
{
	char *settings = format_string("%s/sys", proc);
	int target_fd = open(settings, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (target_fd < 0)
		die_errno("open", settings);
	attach_mount_tree(clone_mount_tree(settings, true), target_fd, settings);
	free(settings);
}

void mount_pod_root_filesystems(const char *stage1_root)
{
	char *proc = format_string("%s/proc", stage1_root);
	char *sys = format_string("%s/sys", stage1_root);

	make_directories(proc, 0555);
	make_directories(sys, 0555);
	mount_or_die("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	make_kernel_settings_read_only(proc);
	mount_sysfs_read_only(sys);
}

void make_pod_root_mount(void)
{
	int tree_fd = clone_mount_tree(".", false);

	if (move_mount(tree_fd, "", AT_FDCWD, ".", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die_errno("move_mount", "stage1 rootfs");
	if (fchdir(tree_fd) < 0)
		die_errno("chdir", "stage1 rootfs");
	close(tree_fd);
}

void pivot_into_pod_root(void)
{
	/* pivot_root(".", ".") stacks the old root on the new one; unmounting "." drops it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die_errno("pivot_root", "stage1 rootfs");
	if (umount2(".", MNT_DETACH) < 0)
		die_errno("unmount the host root", NULL);
	if (chdir("/") < 0)
		die_errno("chdir", "/");
}
