/* Copy of a rendered tree (for --no-overlay pods and `image render`): walks the source by
 * directory fds without following symlinks, keeps hardlinks as hardlinks, and carries
 * owner (optionally shifted), mode, times and xattrs over. File data is cloned where the
 * filesystem can, else copied in the kernel. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlist.h"
#include "fsmeta.h"
#include "inode_map.h"
#include "path.h"
#include "resolve.h"
#include "rkt_native.h"

struct copier {
	const char *dest;
	int dest_root;
	struct id_shift shift;
	bool can_chown;
	bool no_reflinks; /* FICLONE failed as unsupported here: not tried again */
	struct inode_map links; /* source inode -> first destination path */
	char full[PATH_MAX * 2];
};

static int fail(struct copier *c, const char *op, const char *rel, struct rkt_error *err)
{
	int errnum = errno;
	path_join(c->full, sizeof c->full, c->dest, rel);
	return rkt_fail_sys(err, op, c->full, errnum);
}

static int copy_xattrs(struct copier *c, int src_fd, int src_dir, int dst_fd, int dst_dir, const char *name,
		       const char *rel, struct rkt_error *err)
{
	struct xattr_set set;
	int rc = xattr_set_read(&set, src_fd, src_dir, name);
	if (rc < 0)
		rc = fail(c, "list xattrs of source of", rel, err);
	for (size_t i = 0; rc == 0 && i < set.count; i++)
		if (fsmeta_set_xattr(dst_fd, dst_dir, name, set.names[i], set.values[i], set.lens[i]) < 0)
			rc = fail(c, "setxattr on", rel, err);
	xattr_set_free(&set);
	return rc;
}

/* Owner, mode, xattrs and times of `fd` (or of `name` in `dst_dir` when fd < 0). */
static int copy_metadata(struct copier *c, const struct stat *st, int src_fd, int src_dir, int dst_fd, int dst_dir,
			 const char *name, const char *rel, struct rkt_error *err)
{
	int64_t uid = st->st_uid, gid = st->st_gid;
	path_join(c->full, sizeof c->full, c->dest, rel);
	if (id_shift_apply(&c->shift, &uid, &gid, c->full, err) < 0)
		return -1;
	bool is_link = S_ISLNK(st->st_mode);
	if (c->can_chown) {
		int rc = dst_fd >= 0 ? fchown(dst_fd, (uid_t)uid, (gid_t)gid)
				     : fchownat(dst_dir, name, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW);
		if (rc < 0)
			return fail(c, "chown", rel, err);
	}
	if (!is_link) {
		mode_t mode = st->st_mode & 07777;
		int rc = dst_fd >= 0 ? fchmod(dst_fd, mode) : fchmodat(dst_dir, name, mode, AT_SYMLINK_NOFOLLOW);
		if (rc < 0)
			return fail(c, "chmod", rel, err);
	}
	if (copy_xattrs(c, src_fd, src_dir, dst_fd, dst_dir, name, rel, err) < 0)
		return -1;
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	int rc = dst_fd >= 0 ? futimens(dst_fd, times) : utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW);
	return rc < 0 ? fail(c, "set times of", rel, err) : 0;
}

static int copy_file(struct copier *c, const struct stat *st, int src_dir, int dst_dir, const char *name,
		     const char *rel, struct rkt_error *err)
{
	int in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return fail(c, "open source of", rel, err);
	int out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return fail(c, "create", rel, err);
	}
	int rc = 0;
	bool cloned = st->st_size > 0 && !c->no_reflinks && ioctl(out, FICLONE, in) == 0;
	if (!cloned && st->st_size > 0 && !c->no_reflinks)
		c->no_reflinks = errno == EOPNOTSUPP || errno == EXDEV || errno == EINVAL || errno == ENOTTY;
	if (!cloned && st->st_size > 0) {
		off_t offset = 0;
		if (fsmeta_copy_range(in, &offset, out, (uint64_t)st->st_size) < 0)
			rc = fail(c, "copy", rel, err);
	}
	if (rc == 0)
		rc = copy_metadata(c, st, in, -1, out, -1, NULL, rel, err);
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = fail(c, "close", rel, err);
	return rc;
}

static int link_to_first(struct copier *c, const char *first, int dst_dir, const char *name, const char *rel,
			 struct rkt_error *err)
{
	char parent[PATH_MAX];
	snprintf(parent, sizeof parent, "%s", first);
	char *slash = strrchr(parent, '/');
	const char *target = slash ? slash + 1 : first;
	if (slash)
		*slash = '\0';
	int fd = open_beneath(c->dest_root, slash ? parent : "", O_RDONLY | O_DIRECTORY | O_PATH);
	if (fd < 0)
		return fail(c, "link", rel, err);
	int rc = linkat(fd, target, dst_dir, name, 0) < 0 ? fail(c, "link", rel, err) : 0;
	close(fd);
	return rc;
}

static int copy_dir(struct copier *c, int src_dir, int dst_dir, const char *dir_rel, struct rkt_error *err);

static int copy_entry(struct copier *c, int src_dir, int dst_dir, const char *name, const char *rel,
		      struct rkt_error *err)
{
	struct stat st;
	if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, "stat source of", rel, err);
	if (S_ISSOCK(st.st_mode))
		return 0;
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		int failed = 0;
		const char *first = inode_map_find_or_add(&c->links, st.st_dev, st.st_ino, rel, &failed);
		if (failed)
			return fail(c, "copy", rel, err);
		if (first)
			return link_to_first(c, first, dst_dir, name, rel, err);
	}
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return copy_file(c, &st, src_dir, dst_dir, name, rel, err);
	case S_IFDIR: {
		if (mkdirat(dst_dir, name, 0700) < 0)
			return fail(c, "mkdir", rel, err);
		int in = openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0)
			return fail(c, "open source of", rel, err);
		int out = openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int rc = out < 0 ? fail(c, "open", rel, err) : copy_dir(c, in, out, rel, err);
		/* Last, so that creating the children does not disturb the times. */
		if (rc == 0)
			rc = copy_metadata(c, &st, in, -1, out, -1, NULL, rel, err);
		close(in);
		if (out >= 0)
			close(out);
		return rc;
	}
	case S_IFLNK: {
		char target[PATH_MAX];
		ssize_t n = readlinkat(src_dir, name, target, sizeof target - 1);
		if (n < 0)
			return fail(c, "readlink source of", rel, err);
		target[n] = '\0';
		if (symlinkat(target, dst_dir, name) < 0)
			return fail(c, "symlink", rel, err);
		return copy_metadata(c, &st, -1, src_dir, -1, dst_dir, name, rel, err);
	}
	default: /* devices and fifos */
		if (mknodat(dst_dir, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev) < 0)
			return fail(c, "mknod", rel, err);
		return copy_metadata(c, &st, -1, src_dir, -1, dst_dir, name, rel, err);
	}
}

static int copy_dir(struct copier *c, int src_dir, int dst_dir, const char *dir_rel, struct rkt_error *err)
{
	struct dir_list list;
	if (dir_list_read(&list, src_dir) < 0)
		return fail(c, "read source directory of", dir_rel, err);
	int rc = 0;
	for (size_t i = 0; i < list.count && rc == 0; i++) {
		char rel[PATH_MAX];
		if (path_join(rel, sizeof rel, dir_rel, list.names[i]) < 0) {
			errno = ENAMETOOLONG;
			rc = fail(c, "copy", dir_rel, err);
		} else {
			rc = copy_entry(c, src_dir, dst_dir, list.names[i], rel, err);
		}
	}
	dir_list_free(&list);
	return rc;
}

/* The destination: created if missing, else it must be an empty directory. */
static int open_destination(const char *dest, struct rkt_error *err)
{
	if (mkdir(dest, 0700) < 0 && errno != EEXIST)
		return rkt_fail_sys(err, "mkdir", dest, errno);
	int fd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return rkt_fail_sys(err, "open", dest, errno);
	struct dir_list list;
	if (dir_list_read(&list, fd) < 0) {
		close(fd);
		return rkt_fail_sys(err, "read directory", dest, errno);
	}
	size_t count = list.count;
	dir_list_free(&list);
	if (count > 0) {
		close(fd);
		return rkt_fail_sys(err, "copy tree into", dest, ENOTEMPTY);
	}
	return fd;
}

int rkt_copy_tree(const char *src, const char *dest, int32_t flags, int64_t uid_shift, struct rkt_error *err)
{
	int in = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (in < 0)
		return rkt_fail_sys(err, "open", src, errno);
	int out = open_destination(dest, err);
	if (out < 0) {
		close(in);
		return -1;
	}
	struct copier c = {
		.dest = dest,
		.dest_root = out,
		.shift = { .enabled = (flags & RKT_COPY_UID_SHIFT) != 0, .shift = uid_shift },
		.can_chown = fsmeta_can_chown(),
	};
	int rc = copy_dir(&c, in, out, "", err);
	struct stat st;
	if (rc == 0 && fstat(in, &st) < 0)
		rc = rkt_fail_sys(err, "stat", src, errno);
	if (rc == 0)
		rc = copy_metadata(&c, &st, in, -1, out, -1, NULL, "", err);
	inode_map_free(&c.links);
	close(in);
	close(out);
	return rc;
}
