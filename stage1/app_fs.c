#include "app_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_etc.h"
#include "beneath.h"
#include "dev.h"
#include "error.h"
#include "files.h"
#include "masked_paths.h"
#include "mounts.h"
#include "text.h"

static char *empty_volume_path(const char *stage1_root, const char *volume_name)
{
	return format_string("%s/rkt/volumes/%s", stage1_root, volume_name);
}

/* Whether an app before APP_INDEX, or a mount before MOUNT_INDEX of that app, uses NAME. */
static bool empty_volume_seen_before(const struct pod *pod, size_t app_index, size_t mount_index, const char *name)
{
	for (size_t a = 0; a <= app_index; a++) {
		const struct app *app = &pod->apps[a];
		size_t end = a == app_index ? mount_index : app->mount_count;
		for (size_t m = 0; m < end; m++)
			if (app->mounts[m].kind == VOLUME_EMPTY && strcmp(app->mounts[m].source, name) == 0)
				return true;
	}
	return false;
}

void mount_empty_volumes(const struct pod *pod, const char *stage1_root)
{
	for (size_t a = 0; a < pod->app_count; a++) {
		const struct app *app = &pod->apps[a];
		for (size_t m = 0; m < app->mount_count; m++) {
			const char *name = app->mounts[m].source;
			if (app->mounts[m].kind != VOLUME_EMPTY || empty_volume_seen_before(pod, a, m, name))
				continue;
			char *path = empty_volume_path(stage1_root, name);
			make_directories(path, 0755);
			mount_or_die("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
			free(path);
		}
	}
}

static void mount_volume(const struct app *app, const struct volume_mount *volume, int root_fd, const char *stage1_root)
{
	const char *source =
		volume->kind == VOLUME_HOST ? volume->source : empty_volume_path(stage1_root, volume->source);
	char *description = format_string("%s in app \"%s\"", volume->target, app->name);
	int target_fd;
	struct stat info;

	if (stat(source, &info) < 0)
		die_errno("volume source", source);
	target_fd = S_ISDIR(info.st_mode) ? make_directories_beneath(root_fd, volume->target, 0755)
					  : make_file_beneath(root_fd, volume->target);
	attach_mount_tree(clone_mount_tree(source, volume->read_only), target_fd, description);
	free(description);
}

static void bind_pod_filesystem(const char *source, int root_fd, const char *target, bool read_only,
				const char *app_name)
{
	char *description = format_string("%s in app \"%s\"", target, app_name);

	attach_mount_tree(clone_mount_tree(source, read_only), make_directories_beneath(root_fd, target, 0555),
			  description);
	free(description);
}

/* Device nodes in the image (or made in its tree) cannot be opened; /dev and volumes are
 * mounts of their own, attached after this and not affected. */
static void make_root_nodev(int root_fd, const char *app_root)
{
	struct mount_attr attributes = { .attr_set = MOUNT_ATTR_NODEV };

	if (mount_setattr(root_fd, "", AT_EMPTY_PATH, &attributes, sizeof attributes) < 0)
		die_errno("make nodev", app_root);
}

void mount_app_filesystem(const struct app *app, const char *stage1_root)
{
	char *app_root = format_string("%s/opt/stage2/%s/rootfs", stage1_root, app->name);
	int root_fd, tmp_fd;

	if (!is_directory(app_root))
		die_errnum("app root", app_root, ENOENT);
	mount_or_die(app_root, app_root, NULL, MS_BIND | MS_REC, NULL);
	root_fd = open(app_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		die_errno("open", app_root);
	make_root_nodev(root_fd, app_root);

	bind_pod_filesystem(format_string("%s/proc", stage1_root), root_fd, "/proc", false, app->name);
	hide_pod_init_from_tracer(app, root_fd);
	bind_pod_filesystem(format_string("%s/sys", stage1_root), root_fd, "/sys", true, app->name);
	mount_app_dev(stage1_root, root_fd, app->name);
	tmp_fd = make_directories_beneath(root_fd, "/tmp", 01777);
	close(tmp_fd);
	for (size_t m = 0; m < app->mount_count; m++)
		mount_volume(app, &app->mounts[m], root_fd, stage1_root);
	/* After the volumes: a volume on /etc/resolv.conf stands for the image's file, and
	 * the flags' files go over it (rkt's precedence). */
	bind_pod_etc_files(app, root_fd, stage1_root);
	close(root_fd);
	free(app_root);
}
