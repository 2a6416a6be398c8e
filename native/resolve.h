/* Opening directories strictly beneath a root: no `..`, no absolute names, no symlinks
 * anywhere on the way (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, or a walk of
 * single-component O_NOFOLLOW opens where openat2 is missing). A stack of the directories
 * of the last path stays open, so consecutive entries of an archive or a tree walk do
 * not resolve their whole path again. */
#ifndef RKT_RESOLVE_H
#define RKT_RESOLVE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define DIR_STACK_MAX 256

struct dir_stack {
	int root_fd; /* not owned */
	char path[PATH_MAX]; /* relative path of the top entry ("" for the root) */
	struct {
		int fd;
		size_t end; /* length of `path` up to this directory */
	} entries[DIR_STACK_MAX];
	int depth; /* entries[0] is the root */
};

void dir_stack_init(struct dir_stack *s, int root_fd);

/* Returns an fd (owned by the stack, valid until the next call) of the directory at the
 * clean relative path `dir` ("" = root), creating missing directories (0755) when asked.
 * On failure returns -1 with errno: ELOOP (a symlink on the way), ENOTDIR, EXDEV, ENOENT... */
int dir_stack_open(struct dir_stack *s, const char *dir, bool create_missing);

/* Hands the stack `fd`, the directory `name` just created or opened inside the directory
 * that the last dir_stack_open returned. */
void dir_stack_push(struct dir_stack *s, const char *name, int fd);

/* Forgets every open directory but the root (after something was removed). */
void dir_stack_reset(struct dir_stack *s);

/* Opens `path` (clean, relative) beneath root_fd with `flags`, following no symlink; the
 * caller owns the fd. Returns -1 with errno on failure. */
int open_beneath(int root_fd, const char *path, int flags);

#endif
