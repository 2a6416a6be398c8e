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
#include "memory.h"
#include "text.h"

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

/* Longest chain of symlinks followed while creating one path (as the kernel's limit). */
#define MAX_SYMLINK_EXPANSIONS 40

/* PATH with the dangling symlink NAME (in PARENT_FD, at COMPONENT of PREFIX) replaced by its
 * target; REST is what followed it. */
static char *replace_symlink(int parent_fd, const char *prefix, const char *component, const char *rest)
{
	char target[4096];
	ssize_t length = readlinkat(parent_fd, component, target, sizeof target - 1);
	const char *separator = rest != NULL ? "/" : "";

	if (length < 0)
		die_errnum("mkdir", prefix, EEXIST);
	target[length] = '\0';
	if (rest == NULL)
		rest = "";
	if (target[0] == '/')
		return format_string("%s%s%s", target, separator, rest);
	/* Relative to the symlink's directory: the prefix up to this component. */
	return format_string("%.*s%s%s%s", (int)(component - prefix), prefix, target, separator, rest);
}

/* Walks PATH, creating what is missing. A dangling symlink on the way is not created over:
 * the walk stops, returns -1 and sets *REWRITTEN to the path through the symlink's target. */
static int walk_and_create(int root_fd, const char *path, mode_t mode, char **rewritten)
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
			if (mkdirat(parent_fd, component, mode) < 0) {
				if (errno != EEXIST)
					die_errno("mkdir", prefix);
				*rewritten =
					replace_symlink(parent_fd, prefix, component, end != NULL ? end + 1 : NULL);
				close(parent_fd);
				free(prefix);
				return -1;
			}
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

int make_directories_beneath(int root_fd, const char *path, mode_t mode)
{
	char *wanted = xstrdup(path);

	for (int expansions = 0; expansions <= MAX_SYMLINK_EXPANSIONS; expansions++) {
		char *rewritten = NULL;
		int fd = walk_and_create(root_fd, wanted, mode, &rewritten);
		if (fd >= 0)
			return fd;
		debug_message("%s: following a dangling symlink to %s", path, rewritten);
		free(wanted);
		wanted = rewritten;
	}
	die_errnum("mkdir", path, ELOOP);
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
