/* Recursive removal by directory fds that never follows a symlink and never enters another
 * mount: a mount point below the path is an error (EBUSY) naming it, so a pod directory
 * with something still mounted in it is not emptied through the mount. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlist.h"
#include "path.h"
#include "remove_tree.h"
#include "rkt_native.h"

struct remover {
	const char *root;
	char full[PATH_MAX * 2];
};

static int fail(struct remover *r, const char *op, const char *rel, int errnum, struct rkt_error *err)
{
	path_join(r->full, sizeof r->full, r->root, rel);
	return rkt_fail_sys(err, op, r->full, errnum);
}

static int mount_id(int fd, uint64_t *id)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return errno = ENOSYS, -1;
	*id = stx.stx_mnt_id;
	return 0;
}

static int remove_contents(struct remover *r, int dirfd, uint64_t mnt, const char *dir_rel, struct rkt_error *err);

static int remove_entry(struct remover *r, int dirfd, uint64_t mnt, const char *name, unsigned char type,
			const char *rel, struct rkt_error *err)
{
	if (type != DT_DIR && type != DT_UNKNOWN) {
		if (unlinkat(dirfd, name, 0) == 0)
			return 0;
		if (errno != EISDIR)
			return fail(r, "remove", rel, errno, err);
	}
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOTDIR && errno != ELOOP)
			return fail(r, "open", rel, errno, err);
		/* Not a directory after all (DT_UNKNOWN): a plain unlink. */
		return unlinkat(dirfd, name, 0) < 0 ? fail(r, "remove", rel, errno, err) : 0;
	}
	uint64_t child_mnt = 0;
	int rc = mount_id(fd, &child_mnt) < 0 ? fail(r, "statx", rel, errno, err) : 0;
	if (rc == 0 && child_mnt != mnt)
		rc = fail(r, "refusing to remove a tree across mount point", rel, EBUSY, err);
	if (rc == 0)
		rc = remove_contents(r, fd, mnt, rel, err);
	close(fd);
	if (rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		rc = fail(r, "remove", rel, errno, err);
	return rc;
}

static int remove_contents(struct remover *r, int dirfd, uint64_t mnt, const char *dir_rel, struct rkt_error *err)
{
	struct dir_list list;
	if (dir_list_read(&list, dirfd) < 0)
		return fail(r, "read directory", dir_rel, errno, err);
	int rc = 0;
	for (size_t i = 0; i < list.count && rc == 0; i++) {
		char rel[PATH_MAX];
		if (path_join(rel, sizeof rel, dir_rel, list.names[i]) < 0)
			rc = fail(r, "remove", dir_rel, ENAMETOOLONG, err);
		else
			rc = remove_entry(r, dirfd, mnt, list.names[i], list.types[i], rel, err);
	}
	dir_list_free(&list);
	return rc;
}

int remove_tree_at(int parent_fd, const char *name, const char *path, struct rkt_error *err)
{
	struct remover r = { .root = path };
	uint64_t mnt;
	if (mount_id(parent_fd, &mnt) < 0)
		return rkt_fail_sys(err, "statx", path, errno);
	return remove_entry(&r, parent_fd, mnt, name, DT_UNKNOWN, "", err);
}

int rkt_remove_tree(const char *path, struct rkt_error *err)
{
	struct remover r = { .root = path };
	char parent_buf[PATH_MAX], base_buf[PATH_MAX];
	if (snprintf(parent_buf, sizeof parent_buf, "%s", path) >= (int)sizeof parent_buf)
		return rkt_fail_sys(err, "remove", path, ENAMETOOLONG);
	snprintf(base_buf, sizeof base_buf, "%s", path);
	const char *parent_path = dirname(parent_buf);
	const char *name = basename(base_buf);
	int parent = open(parent_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0)
		return errno == ENOENT ? 0 : rkt_fail_sys(err, "open", parent_path, errno);
	struct stat st;
	int rc = 0;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = errno == ENOENT ? 0 : rkt_fail_sys(err, "stat", path, errno);
	} else if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent, name, 0) < 0)
			rc = rkt_fail_sys(err, "remove", path, errno);
	} else {
		uint64_t mnt, parent_mnt;
		int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			rc = rkt_fail_sys(err, "open", path, errno);
		else if (mount_id(fd, &mnt) < 0 || mount_id(parent, &parent_mnt) < 0)
			rc = rkt_fail_sys(err, "statx", path, errno);
		else if (mnt != parent_mnt)
			rc = rkt_fail_sys(err, "refusing to remove a tree across mount point", path, EBUSY);
		else
			rc = remove_contents(&r, fd, mnt, "", err);
		if (fd >= 0)
			close(fd);
		if (rc == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0)
			rc = rkt_fail_sys(err, "remove", path, errno);
	}
	close(parent);
	return rc;
}
