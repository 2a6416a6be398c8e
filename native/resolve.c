#define _GNU_SOURCE
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* Set once the kernel said ENOSYS, or from the start when RKT_NATIVE_NO_OPENAT2 is set
 * (so that the tests can prove the fallback walk as safe as openat2). */
static int openat2_unavailable = -1;

static int openat2_beneath(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* One component at a time; O_NOFOLLOW on each, so a symlink anywhere fails with ELOOP. */
static int walk_beneath(int dirfd, const char *path, int flags)
{
	char component[NAME_MAX + 1];
	int fd = dirfd;
	const char *p = path;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n > NAME_MAX) {
			if (fd != dirfd)
				close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(component, p, n);
		component[n] = '\0';
		int last = slash == NULL;
		int next = openat(fd, component, (last ? flags : O_RDONLY | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
		int saved = errno;
		if (fd != dirfd)
			close(fd);
		if (next < 0) {
			errno = saved;
			return -1;
		}
		if (last)
			return next;
		fd = next;
		p = slash + 1;
	}
}

int open_beneath(int root_fd, const char *path, int flags)
{
	if (path[0] == '\0')
		return openat(root_fd, ".", flags | O_CLOEXEC);
	if (openat2_unavailable < 0)
		openat2_unavailable = getenv("RKT_NATIVE_NO_OPENAT2") != NULL;
	if (!openat2_unavailable) {
		int fd = openat2_beneath(root_fd, path, flags);
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		openat2_unavailable = 1;
	}
	return walk_beneath(root_fd, path, flags);
}

void dir_stack_init(struct dir_stack *s, int root_fd)
{
	s->root_fd = root_fd;
	s->path[0] = '\0';
	s->entries[0].fd = root_fd;
	s->entries[0].end = 0;
	s->depth = 1;
}

static void pop_to(struct dir_stack *s, int depth)
{
	while (s->depth > depth)
		close(s->entries[--s->depth].fd);
	s->path[s->entries[s->depth - 1].end] = '\0';
}

void dir_stack_reset(struct dir_stack *s)
{
	pop_to(s, 1);
}

void dir_stack_push(struct dir_stack *s, const char *name, int fd)
{
	size_t len = s->entries[s->depth - 1].end;
	size_t n = strlen(name);
	if (s->depth == DIR_STACK_MAX || len + 1 + n >= sizeof s->path) {
		close(fd);
		return;
	}
	if (len > 0)
		s->path[len++] = '/';
	memcpy(s->path + len, name, n + 1);
	s->entries[s->depth].fd = fd;
	s->entries[s->depth].end = len + n;
	s->depth++;
}

/* Depth of the deepest stacked directory that is `dir` or one of its ancestors. */
static int shared_depth(const struct dir_stack *s, const char *dir)
{
	int d = s->depth - 1;
	while (d > 0) {
		size_t end = s->entries[d].end;
		if (strncmp(s->path, dir, end) == 0 && (dir[end] == '\0' || dir[end] == '/'))
			break;
		d--;
	}
	return d;
}

static int mkdir_walk(struct dir_stack *s, const char *rest)
{
	char component[NAME_MAX + 1];
	const char *p = rest;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n > NAME_MAX) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(component, p, n);
		component[n] = '\0';
		int parent = s->entries[s->depth - 1].fd;
		int fd = openat(parent, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			if (mkdirat(parent, component, 0755) < 0 && errno != EEXIST)
				return -1;
			fd = openat(parent, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0)
			return -1;
		int depth = s->depth;
		dir_stack_push(s, component, fd);
		if (s->depth == depth) { /* the stack is full: no deeper caching possible */
			errno = ENAMETOOLONG;
			return -1;
		}
		p = slash ? slash + 1 : p + n;
	}
	return s->entries[s->depth - 1].fd;
}

int dir_stack_open(struct dir_stack *s, const char *dir, bool create_missing)
{
	int d = shared_depth(s, dir);
	pop_to(s, d + 1);
	size_t end = s->entries[d].end;
	if (dir[end] == '\0')
		return s->entries[d].fd;
	const char *rest = dir + end + (end > 0);
	int fd = open_beneath(s->entries[d].fd, rest, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		dir_stack_push(s, rest, fd);
		if (s->depth == d + 1) {
			errno = ENAMETOOLONG;
			return -1;
		}
		return fd;
	}
	if (errno != ENOENT || !create_missing)
		return -1;
	return mkdir_walk(s, rest);
}
