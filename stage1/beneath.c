#include "beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "files.h"

int open_beneath(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}

int make_directories_beneath(int root_fd, const char *path, mode_t mode)
{
	char *prefix = xstrdup(path);
	int parent_fd = open_beneath(root_fd, "/", O_PATH | O_DIRECTORY);

	if (parent_fd < 0)
		die_errno("open", "app root");
	for (char *component = prefix; *component != '\0';) {
		char *end;
		int fd;

		while (*component == '/')
			component++;
		if (*component == '\0')
			break;
		end = strchr(component, '/');
		if (end != NULL)
			*end = '\0';
		fd = open_beneath(root_fd, prefix, O_PATH | O_DIRECTORY);
		if (fd < 0 && errno == ENOENT) {
			/* The parent was resolved inside the root; creating one name in it cannot escape. */
			if (mkdirat(parent_fd, component, mode) < 0 && errno != EEXIST)
				die_errno("mkdir", prefix);
			fd = open_beneath(root_fd, prefix, O_PATH | O_DIRECTORY);
		}
		if (fd < 0)
			die_errno("open", prefix);
		close(parent_fd);
		parent_fd = fd;
		if (end == NULL)
			break;
		*end = '/';
		component = end + 1;
	}
	free(prefix);
	return parent_fd;
}

int make_file_beneath(int root_fd, const char *path)
{
	char *parent_path = xstrdup(path);
	char *slash = strrchr(parent_path, '/');
	const char *name;
	int parent_fd, fd;
	struct stat info;

	if (slash == NULL || slash[1] == '\0')
		die_message(format_string("make file %s", path), "not an absolute file path");
	*slash = '\0';
	name = slash + 1;
	parent_fd = make_directories_beneath(root_fd, parent_path[0] ? parent_path : "/", 0755);
	if (fstatat(parent_fd, name, &info, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) == 0 && S_ISLNK(info.st_mode)) {
		if (unlinkat(parent_fd, name, 0) < 0)
			die_errno("unlink", path);
	}
	fd = openat(parent_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (mknodat(parent_fd, name, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
			die_errno("create", path);
		fd = openat(parent_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		die_errno("open", path);
	close(parent_fd);
	free(parent_path);
	return fd;
}
