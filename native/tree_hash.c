/* A deterministic digest of a rendered tree for the tree store's verify check: entries in
 * bytewise order, each as length-prefixed fields (path, type, mode, owner, size, link
 * target, device numbers, xattrs) followed by a regular file's bytes. Mtimes and sockets
 * are left out; later names of a multiply-linked file hash as links to the first. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "dirlist.h"
#include "fsmeta.h"
#include "inode_map.h"
#include "path.h"
#include "rkt_native.h"
#include "sha512.h"

#define READ_SIZE (256u << 10)

struct tree_hasher {
	struct sha512 hash;
	struct inode_map links;
	const char *root;
	char full[PATH_MAX * 2];
	uint8_t *buf;
};

static void put_u64(struct tree_hasher *t, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	sha512_update(&t->hash, b, 8);
}

static void put_bytes(struct tree_hasher *t, const void *p, size_t n)
{
	put_u64(t, n);
	sha512_update(&t->hash, p, n);
}

static void put_str(struct tree_hasher *t, const char *s)
{
	put_bytes(t, s, strlen(s));
}

static int fail(struct tree_hasher *t, const char *op, const char *rel, struct rkt_error *err)
{
	int errnum = errno;
	path_join(t->full, sizeof t->full, t->root, rel);
	return rkt_fail_sys(err, op, t->full, errnum);
}

static char type_of(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return 'f';
	case S_IFDIR:
		return 'd';
	case S_IFLNK:
		return 'l';
	case S_IFCHR:
		return 'c';
	case S_IFBLK:
		return 'b';
	case S_IFIFO:
		return 'p';
	default:
		return '?';
	}
}

static int hash_contents(struct tree_hasher *t, int fd, const char *rel, struct rkt_error *err)
{
	for (;;) {
		ssize_t n = read(fd, t->buf, READ_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(t, "read", rel, err);
		if (n == 0)
			return 0;
		sha512_update(&t->hash, t->buf, (size_t)n);
	}
}

static int hash_xattrs(struct tree_hasher *t, int fd, int dirfd, const char *name, const char *rel,
		       struct rkt_error *err)
{
	struct xattr_set set;
	int rc = xattr_set_read(&set, fd, dirfd, name);
	if (rc < 0)
		rc = fail(t, "list xattrs of", rel, err);
	else {
		put_u64(t, set.count);
		for (size_t i = 0; i < set.count; i++) {
			put_str(t, set.names[i]);
			put_bytes(t, set.values[i], set.lens[i]);
		}
	}
	xattr_set_free(&set);
	return rc;
}

static int hash_dir(struct tree_hasher *t, int dirfd, const char *dir_rel, struct rkt_error *err);

static int hash_entry(struct tree_hasher *t, int dirfd, const char *name, const char *rel, struct rkt_error *err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(t, "stat", rel, err);
	if (S_ISSOCK(st.st_mode))
		return 0;
	put_str(t, rel);
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		int failed = 0;
		const char *first = inode_map_find_or_add(&t->links, st.st_dev, st.st_ino, rel, &failed);
		if (failed)
			return fail(t, "hash", rel, err);
		if (first) { /* a later name of a file already hashed */
			put_u64(t, 'h');
			put_str(t, first);
			return 0;
		}
	}
	put_u64(t, (uint64_t)type_of(st.st_mode));
	put_u64(t, st.st_mode & 07777);
	put_u64(t, st.st_uid);
	put_u64(t, st.st_gid);
	int rc = 0;
	switch (st.st_mode & S_IFMT) {
	case S_IFLNK: {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dirfd, name, target, sizeof target);
		if (n < 0)
			return fail(t, "readlink", rel, err);
		put_bytes(t, target, (size_t)n);
		return hash_xattrs(t, -1, dirfd, name, rel, err);
	}
	case S_IFCHR:
	case S_IFBLK:
		put_u64(t, major(st.st_rdev));
		put_u64(t, minor(st.st_rdev));
		return hash_xattrs(t, -1, dirfd, name, rel, err);
	case S_IFIFO:
		return hash_xattrs(t, -1, dirfd, name, rel, err);
	case S_IFREG:
	case S_IFDIR: {
		int flags = S_ISDIR(st.st_mode) ? O_RDONLY | O_DIRECTORY : O_RDONLY;
		int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
		if (fd < 0 && errno == EPERM)
			fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return fail(t, "open", rel, err);
		rc = hash_xattrs(t, fd, -1, NULL, rel, err);
		if (rc == 0 && S_ISREG(st.st_mode)) {
			put_u64(t, (uint64_t)st.st_size);
			rc = hash_contents(t, fd, rel, err);
		} else if (rc == 0) {
			rc = hash_dir(t, fd, rel, err);
		}
		close(fd);
		return rc;
	}
	default:
		return 0;
	}
}

static int hash_dir(struct tree_hasher *t, int dirfd, const char *dir_rel, struct rkt_error *err)
{
	struct dir_list list;
	if (dir_list_read(&list, dirfd) < 0)
		return fail(t, "read directory", dir_rel, err);
	int rc = 0;
	for (size_t i = 0; i < list.count && rc == 0; i++) {
		const char *name = list.names[i];
		char rel[PATH_MAX];
		if (path_join(rel, sizeof rel, dir_rel, name) < 0) {
			errno = ENAMETOOLONG;
			rc = fail(t, "hash", dir_rel, err);
			break;
		}
		rc = hash_entry(t, dirfd, name, rel, err);
	}
	dir_list_free(&list);
	return rc;
}

int rkt_tree_hash(const char *dir, char hash_out[136], struct rkt_error *err)
{
	struct tree_hasher t = { .root = dir };
	sha512_init(&t.hash);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return rkt_fail_sys(err, "open", dir, errno);
	int rc = 0;
	if (!(t.buf = malloc(READ_SIZE)))
		rc = rkt_fail_sys(err, "hash", dir, ENOMEM);
	if (rc == 0)
		rc = hash_dir(&t, fd, "", err);
	close(fd);
	free(t.buf);
	inode_map_free(&t.links);
	if (rc < 0)
		return -1;
	memcpy(hash_out, "sha512-", 7);
	sha512_final_hex(&t.hash, hash_out + 7);
	return 0;
}
