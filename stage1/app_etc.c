#include "app_etc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "beneath.h"
#include "error.h"
#include "files.h"
#include "mounts.h"
#include "text.h"

static const char *const etc_file_names[] = { "localtime", "resolv.conf", "hosts" };

/* Whether the app's image put anything at TARGET: a file, a directory or a symlink, even a
 * dangling one (a symlink is the image's choice, e.g. a zone link). */
static bool app_has_file(int root_fd, const char *target)
{
	int fd = open_beneath(root_fd, target, O_PATH | O_NOFOLLOW);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	if (errno == ENOENT)
		return false;
	/* ENOTDIR: the image's /etc is not a directory; leave it as it is. */
	if (errno == ENOTDIR)
		return true;
	die_errno("open", target);
}

static void bind_etc_file(const char *source, int root_fd, const char *target, const char *app_name)
{
	char *description = format_string("%s in app \"%s\"", target, app_name);

	attach_mount_tree(clone_mount_tree(source, true), make_file_beneath(root_fd, target), description);
	free(description);
}

void bind_pod_etc_files(const struct app *app, int root_fd, const char *stage1_root)
{
	for (size_t i = 0; i < sizeof etc_file_names / sizeof etc_file_names[0]; i++) {
		char *target = format_string("/etc/%s", etc_file_names[i]);
		char *override = format_string("%s/rkt/etc/override/%s", stage1_root, etc_file_names[i]);
		char *fallback = format_string("%s/rkt/etc/default/%s", stage1_root, etc_file_names[i]);

		if (path_exists(override))
			bind_etc_file(override, root_fd, target, app->name);
		else if (path_exists(fallback) && !app_has_file(root_fd, target))
			bind_etc_file(fallback, root_fd, target, app->name);
		free(fallback);
		free(override);
		free(target);
	}
}
