#include "masked_paths.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "error.h"
#include "mounts.h"
#include "text.h"

/* runc's maskedPaths and readonlyPaths, plus /proc/kmsg and /proc/key-users. */
static const char *const masked_paths[] = {
	"proc/acpi",
	"proc/asound",
	"proc/kcore",
	"proc/keys",
	"proc/key-users",
	"proc/kmsg",
	"proc/latency_stats",
	"proc/timer_list",
	"proc/timer_stats",
	"proc/sched_debug",
	"proc/scsi",
	"sys/firmware",
	"sys/devices/virtual/powercap",
	NULL,
};
static const char *const read_only_paths[] = {
	"proc/bus", "proc/fs", "proc/irq", "proc/sysrq-trigger", NULL,
};

/* A detached, empty, read-only tmpfs. */
static int empty_read_only_tree(const char *target_name)
{
	int context_fd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	int tree_fd;

	if (context_fd < 0)
		die_errno("fsopen tmpfs for", target_name);
	if (fsconfig(context_fd, FSCONFIG_SET_STRING, "mode", "0555", 0) < 0 ||
	    fsconfig(context_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		die_errno("create tmpfs for", target_name);
	tree_fd = fsmount(context_fd, FSMOUNT_CLOEXEC,
			  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (tree_fd < 0)
		die_errno("fsmount tmpfs for", target_name);
	close(context_fd);
	return tree_fd;
}

/* An O_PATH descriptor of PATH, or -1 when the kernel has no such entry. */
static int open_if_present(const char *path, struct stat *info)
{
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return -1;
	if (fd < 0 || fstat(fd, info) < 0)
		die_errno("open", path);
	return fd;
}

static void mask_path(const char *path)
{
	struct stat info;
	int target_fd = open_if_present(path, &info);

	if (target_fd < 0)
		return;
	debug_message("mask %s", path);
	if (S_ISDIR(info.st_mode))
		attach_mount_tree(empty_read_only_tree(path), target_fd, path);
	else
		attach_mount_tree(clone_mount_tree("/dev/null", true), target_fd, path);
}

static void make_path_read_only(const char *path)
{
	struct stat info;
	int target_fd = open_if_present(path, &info);

	if (target_fd < 0)
		return;
	debug_message("make %s read-only", path);
	attach_mount_tree(clone_mount_tree(path, true), target_fd, path);
}

void mask_kernel_interfaces(const char *stage1_root)
{
	for (size_t i = 0; masked_paths[i] != NULL; i++) {
		char *path = format_string("%s/%s", stage1_root, masked_paths[i]);
		mask_path(path);
		free(path);
	}
	for (size_t i = 0; read_only_paths[i] != NULL; i++) {
		char *path = format_string("%s/%s", stage1_root, read_only_paths[i]);
		make_path_read_only(path);
		free(path);
	}
}

void hide_pod_init_from_tracer(const struct app *app, int root_fd)
{
	char *description;
	int target_fd;

	if ((app->kept_capabilities & (1ULL << CAP_SYS_PTRACE)) == 0)
		return;
	description = format_string("/proc/1 in app \"%s\"", app->name);
	target_fd = open_beneath(root_fd, "/proc/1", O_PATH | O_DIRECTORY);
	if (target_fd < 0)
		die_errno("open", description);
	attach_mount_tree(empty_read_only_tree(description), target_fd, description);
	free(description);
}
