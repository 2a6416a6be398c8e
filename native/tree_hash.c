/* The tree store's tree hash of a tree on disk, by a walk in sorted order (the encoding and
 * both versions: tree_digest.h). Mtimes and sockets are left out. */
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
#include "tree_digest.h"

#define READ_SIZE (256u << 10)

struct tree_hasher {
	int version;
	struct sha512 hash;
	struct sha512 entry; /* version 2: the entry digest being computed */
	struct sha512 *fields; /* where an entry's fields go: `hash` (version 1) or `entry` */
	struct inode_map links;
	const char *root;
	char full[PATH_MAX * 2];
	uint8_t *buf;
};

static int fail(struct tree_hasher *t, const char *op, const char *rel, struct rkt_error *err)
{
	int errnum = errno;
	path_join(t->full, sizeof t->full, t->root, rel);
	return rkt_fail_sys(err, op, t->full, errnum);
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
		sha512_update(t->fields, t->buf, (size_t)n);
	}
}

static int hash_xattrs(struct tree_hasher *t, int fd, int dirfd, const char *name, const char *rel,
		       struct rkt_error *err)
{
	struct xattr_set set;
	int rc = xattr_set_read(&set, fd, dirfd, name);
	if (rc < 0)
		rc = fail(t, "list xattrs of", rel, err);
	else
		digest_put_xattrs(t->fields, &set, t->version == 2);
	xattr_set_free(&set);
	return rc;
}

/* An entry's fields (tree_digest.h); a directory's open fd is left in *dir_fd. */
static int hash_fields(struct tree_hasher *t, int dirfd, const char *name, const char *rel, const struct stat *st,
		       int *dir_fd, struct rkt_error *err)
{
	digest_put_node(t->fields, digest_type_of(st->st_mode), st->st_mode, st->st_uid, st->st_gid);
	switch (st->st_mode & S_IFMT) {
	case S_IFLNK: {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dirfd, name, target, sizeof target);
		if (n < 0)
			return fail(t, "readlink", rel, err);
		digest_put_bytes(t->fields, target, (size_t)n);
		return hash_xattrs(t, -1, dirfd, name, rel, err);
	}
	case S_IFCHR:
	case S_IFBLK:
		digest_put_u64(t->fields, major(st->st_rdev));
		digest_put_u64(t->fields, minor(st->st_rdev));
		return hash_xattrs(t, -1, dirfd, name, rel, err);
	case S_IFIFO:
		return hash_xattrs(t, -1, dirfd, name, rel, err);
	case S_IFREG:
	case S_IFDIR: {
		int flags = S_ISDIR(st->st_mode) ? O_RDONLY | O_DIRECTORY : O_RDONLY;
		int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
		if (fd < 0 && errno == EPERM)
			fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return fail(t, "open", rel, err);
		int rc = hash_xattrs(t, fd, -1, NULL, rel, err);
		if (rc == 0 && S_ISREG(st->st_mode)) {
			digest_put_u64(t->fields, (uint64_t)st->st_size);
			rc = hash_contents(t, fd, rel, err);
		}
		if (rc == 0 && S_ISDIR(st->st_mode))
			*dir_fd = fd;
		else
			close(fd);
		return rc;
	}
	default:
		return 0;
	}
}

static int hash_dir(struct tree_hasher *t, int dirfd, const char *dir_rel, struct rkt_error *err);

static int hash_entry(struct tree_hasher *t, int dirfd, const char *name, const char *rel, struct rkt_error *err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(t, "stat", rel, err);
	if (S_ISSOCK(st.st_mode))
		return 0;
	if (t->version == 1)
		digest_put_str(&t->hash, rel);
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		int failed = 0;
		const char *first = inode_map_find_or_add(&t->links, st.st_dev, st.st_ino, rel, &failed);
		if (failed)
			return fail(t, "hash", rel, err);
		if (first && t->version == 1) { /* a later name of a file already hashed */
			digest_put_u64(&t->hash, 'h');
			digest_put_str(&t->hash, first);
		}
		if (first && t->version == 2)
			digest_put_link_record(&t->hash, rel, first);
		if (first)
			return 0;
	}
	if (t->version == 2)
		sha512_init(&t->entry);
	int dir_fd = -1;
	int rc = hash_fields(t, dirfd, name, rel, &st, &dir_fd, err);
	if (rc == 0 && t->version == 2) {
		uint8_t entry[SHA512_DIGEST_SIZE];
		sha512_final(&t->entry, entry);
		digest_put_record(&t->hash, rel, entry);
	}
	if (dir_fd >= 0) {
		if (rc == 0)
			rc = hash_dir(t, dir_fd, rel, err);
		close(dir_fd);
	}
	return rc;
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

int rkt_tree_hash(const char *dir, int32_t version, char hash_out[TREE_HASH_MAX], struct rkt_error *err)
{
	if (version != 1 && version != 2)
		return rkt_fail(err, "hash", dir, "unknown tree hash version %d", version);
	struct tree_hasher t = { .version = version, .root = dir };
	t.fields = version == 1 ? &t.hash : &t.entry;
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
	digest_final_hex(&t.hash, version == 1 ? "" : TREE_HASH_V2_PREFIX, hash_out);
	return 0;
}
