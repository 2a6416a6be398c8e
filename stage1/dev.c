#include "dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "error.h"
#include "files.h"
#include "mounts.h"
#include "text.h"

/* Device nodes bound from the host; console is handled apart (see pod_console_source). Any
 * other node is an app's only through a volume (device_policy.h). */
static const char *const host_devices[] = { "null", "zero", "full", "random", "urandom", "tty", NULL };
static const char *const app_devices[] = { "null", "zero", "full", "random", "urandom", "tty", "console", NULL };

static void bind_device_node(const char *source, const char *target)
{
	int fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		die_errno("create", target);
	close(fd);
	mount_or_die(source, target, NULL, MS_BIND, NULL);
}

const char *pod_console_source(void)
{
	const char *terminal = isatty(STDIN_FILENO) ? ttyname(STDIN_FILENO) : NULL;

	return terminal != NULL ? terminal : "/dev/null";
}

static void make_symlink(const char *target, const char *link)
{
	if (symlink(target, link) < 0)
		die_errno("symlink", link);
}

void mount_pod_dev(const char *stage1_root)
{
	char *dev = format_string("%s/dev", stage1_root);

	make_directories(dev, 0755);
	mount_or_die("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755");
	for (size_t i = 0; host_devices[i] != NULL; i++) {
		char *source = format_string("/dev/%s", host_devices[i]);
		if (path_exists(source))
			bind_device_node(source, format_string("%s/%s", dev, host_devices[i]));
	}
	bind_device_node(pod_console_source(), format_string("%s/console", dev));

	make_directories(format_string("%s/pts", dev), 0755);
	mount_or_die("devpts", format_string("%s/pts", dev), "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620,gid=5");
	make_symlink("pts/ptmx", format_string("%s/ptmx", dev));
	make_directories(format_string("%s/shm", dev), 01777);
	mount_or_die("shm", format_string("%s/shm", dev), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	make_symlink("/proc/self/fd", format_string("%s/fd", dev));
	make_symlink("/proc/self/fd/0", format_string("%s/stdin", dev));
	make_symlink("/proc/self/fd/1", format_string("%s/stdout", dev));
	make_symlink("/proc/self/fd/2", format_string("%s/stderr", dev));
}

static void bind_into_app(const char *source, int target_fd, const char *target, const char *app_name)
{
	char *description = format_string("%s in app \"%s\"", target, app_name);

	attach_mount_tree(clone_mount_tree(source, false), target_fd, description);
	free(description);
}

void mount_app_dev(const char *stage1_root, int app_root_fd, const char *app_name)
{
	for (size_t i = 0; app_devices[i] != NULL; i++) {
		char *source = format_string("%s/dev/%s", stage1_root, app_devices[i]);
		char *target = format_string("/dev/%s", app_devices[i]);
		if (path_exists(source))
			bind_into_app(source, make_file_beneath(app_root_fd, target), target, app_name);
		free(source);
		free(target);
	}
	bind_into_app(format_string("%s/dev/pts", stage1_root), make_directories_beneath(app_root_fd, "/dev/pts", 0755),
		      "/dev/pts", app_name);
	/* appc allows /dev/ptmx as a bind of /dev/pts/ptmx; it also replaces whatever the image had. */
	bind_into_app(format_string("%s/dev/pts/ptmx", stage1_root), make_file_beneath(app_root_fd, "/dev/ptmx"),
		      "/dev/ptmx", app_name);
	bind_into_app(format_string("%s/dev/shm", stage1_root),
		      make_directories_beneath(app_root_fd, "/dev/shm", 01777), "/dev/shm", app_name);
}
