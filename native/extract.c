/* Extraction of an image tar (plain or compressed) beneath a destination directory. Every parent
 * is opened through the dir_stack (beneath the root, no symlinks), every final component
 * is created with an *at() call that does not follow symlinks, and files are only ever
 * created with O_EXCL, so nothing an archive contains can reach outside the destination.
 * A later entry replaces what an earlier entry of the same archive made at its name (as
 * rkt's extractor and tar do); what was there before the archive is kept in skip mode. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "decompress.h"
#include "disk_reserve.h"
#include "extract.h"
#include "fsmeta.h"
#include "inflate_source.h"
#include "inode_map.h"
#include "path.h"
#include "remove_tree.h"
#include "resolve.h"
#include "rkt_native.h"
#include "tar.h"
#include "tree_digest.h"

#define READ_SIZE (1u << 20)
/* Files at least this big are copied by the kernel from the tar (copy_file_range)
 * instead of through our buffer. */
#define KERNEL_COPY_MIN (256u << 10)
/* What a file costs on disk besides its data, for the free-space check. */
#define RESERVE_FILE_COST 4096u

struct file_source {
	struct tar_source src;
	int fd;
	uint8_t *buf;
	uint64_t offset; /* file offset of the next read */
	uint64_t size;
	const char *path;
};

static int file_refill(struct tar_source *src, struct rkt_error *err)
{
	struct file_source *f = (struct file_source *)src;
	ssize_t n;
	do
		n = read(f->fd, f->buf, READ_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return rkt_fail_sys(err, "read", f->path, errno);
	f->offset += (uint64_t)n;
	src->data = f->buf;
	src->len = (size_t)n;
	src->pos = 0;
	return n > 0;
}

static int file_skip_unread(struct tar_source *src, uint64_t n, struct rkt_error *err)
{
	struct file_source *f = (struct file_source *)src;
	if (f->offset + n > f->size)
		return rkt_fail(err, "read archive", f->path, "truncated archive (unexpected end of data)");
	if (lseek(f->fd, (off_t)n, SEEK_CUR) < 0)
		return rkt_fail_sys(err, "seek", f->path, errno);
	f->offset += n;
	return 0;
}

struct deferred_dir {
	char *path;
	struct timespec times[2];
	mode_t mode;
	bool fix_mode;
};

struct extractor {
	const char *archive;
	const char *dest;
	const char *reserve_op, *reserve_object; /* how a reserve check failure is named */
	int flags;
	struct id_shift shift;
	char **whitelist;
	size_t whitelist_count;
	struct file_source file; /* a plain tar's file (fd -1 otherwise): big files are copied by the kernel */
	struct tar_reader *reader; /* the reader of the entry being extracted */
	struct dir_stack dirs;
	int root_fd;
	bool can_chown;
	mode_t umask;
	struct deferred_dir *deferred;
	size_t deferred_count, deferred_cap;
	struct inode_map created; /* nodes this archive made: later entries of it may replace them */
	uint64_t reserved; /* bytes still covered by the last free-space check (KEEP_RESERVE) */
	struct tree_digest *digest; /* the version 2 tree hash of what is written, when asked */
	bool digest_lost; /* an entry kept or met what was there before: the hash needs a walk */
	struct sha512 entry; /* the entry digest being computed */
	char full[PATH_MAX * 2]; /* dest + entry path, for messages */
};

static const char *full_path(struct extractor *x, const char *rel)
{
	if (path_join(x->full, sizeof x->full, x->dest, rel) < 0)
		snprintf(x->full, sizeof x->full, "%s/...", x->dest);
	return x->full;
}

static int fail_entry(struct extractor *x, const char *op, const char *rel, int errnum, struct rkt_error *err)
{
	return rkt_fail_sys(err, op, full_path(x, rel), errnum);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_whitelist(struct extractor *x, const char *list, int count, struct rkt_error *err)
{
	x->whitelist = calloc((size_t)count + 1, sizeof *x->whitelist);
	if (!x->whitelist)
		return rkt_fail_sys(err, "extract", x->archive, ENOMEM);
	for (int i = 0; i < count; i++) {
		char clean[PATH_MAX];
		int absolute;
		if (path_clean(list, clean, sizeof clean, &absolute) != PATH_CLEAN_OK)
			return rkt_fail(err, "extract", x->archive, "invalid whitelist path \"%s\"", list);
		if (!(x->whitelist[x->whitelist_count++] = strdup(clean)))
			return rkt_fail_sys(err, "extract", x->archive, ENOMEM);
		list += strlen(list) + 1;
	}
	qsort(x->whitelist, x->whitelist_count, sizeof *x->whitelist, compare_strings);
	return 0;
}

static bool whitelisted(const struct extractor *x, const char *rootfs_rel)
{
	return bsearch(&rootfs_rel, x->whitelist, x->whitelist_count, sizeof *x->whitelist, compare_strings) != NULL;
}

/* Whether an entry whose parent could not be opened is passed over: in skip mode, when
 * the first non-directory on the way to `parent` is an earlier image's. One this archive
 * made (a symlink, then entries below it) is refused as in extract mode. */
static bool parent_blocked_by_earlier_image(const struct extractor *x, const char *parent, int errnum)
{
	if (!(x->flags & RKT_EXTRACT_SKIP_EXISTING) || !(errnum == ENOTDIR || errnum == ELOOP || errnum == EXDEV))
		return false;
	char prefix[PATH_MAX];
	for (size_t end = 0;; end++) {
		if (parent[end] != '/' && parent[end] != '\0')
			continue;
		memcpy(prefix, parent, end);
		prefix[end] = '\0';
		struct stat st;
		/* Every shorter prefix is a directory, so no symlink is resolved on the way. */
		if (fstatat(x->root_fd, prefix, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return true;
		if (!S_ISDIR(st.st_mode))
			return !inode_map_contains(&x->created, st.st_dev, st.st_ino);
		if (parent[end] == '\0')
			return true;
	}
}

static int remember_created(struct extractor *x, const struct stat *st, const char *rel, struct rkt_error *err)
{
	int failed = 0;
	inode_map_find_or_add(&x->created, st->st_dev, st->st_ino, "", &failed);
	return failed ? fail_entry(x, "extract", rel, ENOMEM, err) : 0;
}

static int remember_created_at(struct extractor *x, int dirfd, const char *name, const char *rel, struct rkt_error *err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_entry(x, "stat", rel, errno, err);
	return remember_created(x, &st, rel, err);
}

/* An entry keeps the node at `rel` that it meets, which this archive did not make: the tree
 * hash holds it only when it is a directory this archive made as a missing parent. */
static void digest_kept(struct extractor *x, const char *rel, bool is_dir)
{
	if (x->digest && !(is_dir && tree_digest_has_dir(x->digest, rel)))
		x->digest_lost = true;
}

/* An entry meets a node already at `name`. A node this archive made is replaced, a
 * directory with everything below it (the later entry wins, as in rkt's extractor). A node
 * that was there before is kept in skip mode (an earlier, higher-priority image wins), else
 * replaced too, but a non-empty directory is not emptied (an error, as in GNU tar).
 * dirfd is the top of the dir_stack (dir_stack_open leaves the stack at the parent), so a
 * removed directory is never on the stack and the stack's fds, dirfd among them, stay open.
 * Returns 1 when the name is free, 0 to keep the existing node, -1 on error. */
static int make_room(struct extractor *x, int dirfd, const char *name, const char *rel, struct rkt_error *err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_entry(x, "stat", rel, errno, err);
	bool ours = inode_map_contains(&x->created, st.st_dev, st.st_ino);
	if (!ours && (x->flags & RKT_EXTRACT_SKIP_EXISTING)) {
		digest_kept(x, rel, S_ISDIR(st.st_mode));
		return 0;
	}
	if (x->digest)
		tree_digest_remove(x->digest, rel);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0)
			return fail_entry(x, "replace", rel, errno, err);
	} else if (ours) {
		if (remove_tree_at(dirfd, name, full_path(x, rel), err) < 0)
			return -1;
	} else if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0) {
		return fail_entry(x, "replace directory", rel, errno, err);
	}
	return 1;
}

static int apply_xattrs(struct extractor *x, const struct tar_entry *e, int fd, int dirfd, const char *name,
			const char *rel, struct rkt_error *err)
{
	for (size_t i = 0; i < e->xattr_count; i++) {
		const struct tar_xattr *a = &e->xattrs[i];
		if (!fsmeta_image_may_set_xattr(a->name, a->len))
			continue;
		if (fsmeta_set_xattr(fd, dirfd, name, a->name, a->value, a->len) < 0) {
			char op[RKT_ERROR_OP_MAX];
			snprintf(op, sizeof op, "setxattr %s on", a->name);
			return fail_entry(x, op, rel, errno, err);
		}
	}
	return 0;
}

static int compare_xattr_names(const void *a, const void *b)
{
	return strcmp((*(const struct tar_xattr *const *)a)->name, (*(const struct tar_xattr *const *)b)->name);
}

/* Starts the entry digest (tree_digest.h) of a node made from `e`, which `uid`, `gid` own. */
static void digest_begin(struct extractor *x, char type, mode_t mode, int64_t uid, int64_t gid)
{
	sha512_init(&x->entry);
	digest_put_node(&x->entry, type, mode, (uint64_t)uid, (uint64_t)gid);
}

/* Puts the xattrs apply_xattrs wrote for `e`: those an image may set, the last of each name. */
static int digest_xattrs(struct extractor *x, const struct tar_entry *e, const char *rel, struct rkt_error *err)
{
	const struct tar_xattr **kept = malloc((e->xattr_count ? e->xattr_count : 1) * sizeof *kept);
	if (!kept)
		return fail_entry(x, "extract", rel, ENOMEM, err);
	size_t n = 0;
	for (size_t i = 0; i < e->xattr_count; i++) {
		const struct tar_xattr *a = &e->xattrs[i];
		if (!fsmeta_image_may_set_xattr(a->name, a->len))
			continue;
		/* The kernel may rewrite a system.* value (ACLs) and the mode with it. */
		x->digest_lost |= strncmp(a->name, "system.", strlen("system.")) == 0;
		size_t j = 0;
		while (j < n && strcmp(kept[j]->name, a->name) != 0)
			j++;
		kept[j] = a;
		n += j == n;
	}
	qsort(kept, n, sizeof *kept, compare_xattr_names);
	digest_put_u64(&x->entry, n);
	for (size_t i = 0; i < n; i++) {
		digest_put_str(&x->entry, kept[i]->name);
		digest_put_bytes(&x->entry, kept[i]->value, kept[i]->len);
	}
	free(kept);
	return 0;
}

/* Records the entry digest being computed as the node now at `rel`. */
static int digest_record(struct extractor *x, const char *rel, struct rkt_error *err)
{
	uint8_t entry[SHA512_DIGEST_SIZE];
	sha512_final(&x->entry, entry);
	return tree_digest_set(x->digest, rel, entry) < 0 ? fail_entry(x, "extract", rel, errno, err) : 0;
}

/* Whether mode bits need an explicit chmod after creation with `mode & 0777`. */
static bool needs_chmod(const struct extractor *x, mode_t mode)
{
	return (mode & 07000) || (mode & x->umask & 0777);
}

static int own_and_mode_fd(struct extractor *x, int64_t uid, int64_t gid, int fd, mode_t mode, const char *rel,
			   struct rkt_error *err)
{
	if (x->can_chown && fchown(fd, (uid_t)uid, (gid_t)gid) < 0)
		return fail_entry(x, "chown", rel, errno, err);
	/* After chown, which clears setuid/setgid. */
	if (needs_chmod(x, mode) && fchmod(fd, mode) < 0)
		return fail_entry(x, "chmod", rel, errno, err);
	return 0;
}

/* Checks the free space once per DISK_RESERVE_STEP of file data, not once per file; a
 * file also counts as one block. */
static int keep_reserve(struct extractor *x, uint64_t size, struct rkt_error *err)
{
	uint64_t need = size + RESERVE_FILE_COST;
	if (x->reserved >= need) {
		x->reserved -= need;
		return 0;
	}
	if (disk_reserve_check(x->root_fd, DISK_RESERVE_STEP + need, x->reserve_op, x->reserve_object, err) < 0)
		return -1;
	x->reserved = DISK_RESERVE_STEP;
	return 0;
}

static int extract_file(struct extractor *x, const struct tar_entry *e, int64_t uid, int64_t gid, int dirfd,
			const char *name, const char *rel, struct rkt_error *err)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	if ((x->flags & RKT_EXTRACT_KEEP_RESERVE) && keep_reserve(x, e->size, err) < 0)
		return -1;
	if (x->digest) {
		digest_begin(x, 'f', e->mode, uid, gid);
		if (digest_xattrs(x, e, rel, err) < 0)
			return -1;
		digest_put_u64(&x->entry, e->size);
	}
	int fd = openat(dirfd, name, flags, e->mode & 0777);
	if (fd < 0 && errno == EEXIST) {
		int room = make_room(x, dirfd, name, rel, err);
		if (room <= 0)
			return room;
		fd = openat(dirfd, name, flags, e->mode & 0777);
	}
	if (fd < 0)
		return fail_entry(x, "create", rel, errno, err);

	struct stat st;
	int rc = fstat(fd, &st) < 0 ? fail_entry(x, "stat", rel, errno, err) : remember_created(x, &st, rel, err);
	uint64_t left = e->size;
	while (left > 0 && rc == 0) {
		if (left >= KERNEL_COPY_MIN && !x->digest && x->reader->src == &x->file.src &&
		    tar_source_buffered(&x->file.src) == 0) {
			off_t offset = (off_t)x->file.offset;
			if (x->file.offset + left > x->file.size) {
				rc = rkt_fail(err, "read archive", x->archive,
					      "truncated archive (unexpected end of data)");
			} else if (fsmeta_copy_range(x->file.fd, &offset, fd, left) < 0) {
				rc = fail_entry(x, "write", rel, errno, err);
			} else {
				rc = tar_reader_skip_data(x->reader, left, err);
				left = 0;
			}
			break;
		}
		const uint8_t *data;
		size_t n;
		if (tar_reader_data(x->reader, &data, &n, err) < 0)
			rc = -1;
		else if (fsmeta_write_all(fd, data, n) < 0)
			rc = fail_entry(x, "write", rel, errno, err);
		else if (x->digest)
			sha512_update(&x->entry, data, n);
		left -= n;
	}
	if (rc == 0)
		rc = own_and_mode_fd(x, uid, gid, fd, e->mode, rel, err);
	if (rc == 0)
		rc = apply_xattrs(x, e, fd, -1, NULL, rel, err);
	struct timespec times[2] = { e->atime, e->mtime };
	if (rc == 0 && futimens(fd, times) < 0)
		rc = fail_entry(x, "set times of", rel, errno, err);
	if (close(fd) < 0 && rc == 0)
		rc = fail_entry(x, "close", rel, errno, err);
	if (rc == 0 && x->digest)
		rc = digest_record(x, rel, err);
	return rc;
}

static int defer_dir(struct extractor *x, const struct tar_entry *e, const char *rel, bool fix_mode,
		     struct rkt_error *err)
{
	if (x->deferred_count == x->deferred_cap) {
		size_t cap = x->deferred_cap ? x->deferred_cap * 2 : 256;
		struct deferred_dir *grown = realloc(x->deferred, cap * sizeof *grown);
		if (!grown)
			return rkt_fail_sys(err, "extract", x->archive, ENOMEM);
		x->deferred = grown;
		x->deferred_cap = cap;
	}
	struct deferred_dir *d = &x->deferred[x->deferred_count];
	if (!(d->path = strdup(rel)))
		return rkt_fail_sys(err, "extract", x->archive, ENOMEM);
	d->times[0] = e->atime;
	d->times[1] = e->mtime;
	d->mode = e->mode;
	d->fix_mode = fix_mode;
	x->deferred_count++;
	return 0;
}

/* Owner, mode and xattrs now; times (and a mode that would lock us out) once all entries
 * are in, since creating children changes a directory's mtime. `existed`: not just made
 * with the entry's mode, so the mode is always set. */
static int set_dir_metadata(struct extractor *x, const struct tar_entry *e, int64_t uid, int64_t gid, int fd,
			    bool existed, const char *rel, struct rkt_error *err)
{
	if (x->can_chown && fchown(fd, (uid_t)uid, (gid_t)gid) < 0)
		return fail_entry(x, "chown", rel, errno, err);
	bool lockout = !x->can_chown && (e->mode & S_IRWXU) != S_IRWXU;
	mode_t now = lockout ? (e->mode | S_IRWXU) : e->mode;
	if ((needs_chmod(x, e->mode) || lockout || existed) && fchmod(fd, now) < 0)
		return fail_entry(x, "chmod", rel, errno, err);
	if (apply_xattrs(x, e, fd, -1, NULL, rel, err) < 0)
		return -1;
	return defer_dir(x, e, rel, lockout, err);
}

static int extract_dir(struct extractor *x, const struct tar_entry *e, int64_t uid, int64_t gid, int dirfd,
		       const char *name, const char *rel, struct rkt_error *err)
{
	/* A directory that was there before the archive, kept as it is in skip mode. */
	bool keep_as_is = false;
	bool created = mkdirat(dirfd, name, e->mode & 0777) == 0;
	if (!created) {
		if (errno != EEXIST)
			return fail_entry(x, "mkdir", rel, errno, err);
		struct stat st;
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return fail_entry(x, "stat", rel, errno, err);
		if (S_ISDIR(st.st_mode)) {
			keep_as_is = (x->flags & RKT_EXTRACT_SKIP_EXISTING) &&
				     !inode_map_contains(&x->created, st.st_dev, st.st_ino);
		} else {
			/* A higher-priority image's non-directory is kept, and the entries below will
             * find their parent is not a directory and be skipped too. */
			int room = make_room(x, dirfd, name, rel, err);
			if (room <= 0)
				return room;
			if (mkdirat(dirfd, name, e->mode & 0777) < 0)
				return fail_entry(x, "mkdir", rel, errno, err);
			created = true;
		}
	}
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail_entry(x, "open", rel, errno, err);
	struct stat st;
	int rc = 0;
	if (created)
		rc = fstat(fd, &st) < 0 ? fail_entry(x, "stat", rel, errno, err) : remember_created(x, &st, rel, err);
	if (rc == 0 && !keep_as_is)
		rc = set_dir_metadata(x, e, uid, gid, fd, !created, rel, err);
	if (keep_as_is)
		digest_kept(x, rel, true);
	if (rc == 0 && x->digest && tree_digest_add_dir(x->digest, rel) < 0)
		rc = fail_entry(x, "extract", rel, errno, err);
	if (rc < 0) {
		close(fd);
		return -1;
	}
	dir_stack_push(&x->dirs, name, fd);
	return 0;
}

typedef int (*make_node_fn)(const struct tar_entry *e, int dirfd, const char *name);

/* Creates a node with `make` (-1 and errno on failure), replacing what exists, or leaving
 * it in skip mode. Returns 1 when created, 0 when skipped, -1 on error. */
static int create_node(struct extractor *x, const struct tar_entry *e, int dirfd, const char *name, const char *rel,
		       const char *op, make_node_fn make, struct rkt_error *err)
{
	if (make(e, dirfd, name) < 0) {
		if (errno != EEXIST)
			return fail_entry(x, op, rel, errno, err);
		int room = make_room(x, dirfd, name, rel, err);
		if (room <= 0)
			return room;
		if (make(e, dirfd, name) < 0)
			return fail_entry(x, op, rel, errno, err);
	}
	return remember_created_at(x, dirfd, name, rel, err) < 0 ? -1 : 1;
}

static int make_symlink(const struct tar_entry *e, int dirfd, const char *name)
{
	return symlinkat(e->linkname, dirfd, name);
}

static int make_special(const struct tar_entry *e, int dirfd, const char *name)
{
	mode_t kind = e->type == TAR_CHAR ? S_IFCHR : e->type == TAR_BLOCK_DEVICE ? S_IFBLK : S_IFIFO;
	dev_t dev = kind == S_IFIFO ? 0 : makedev(e->devmajor, e->devminor);
	return mknodat(dirfd, name, kind | (e->mode & 0777), dev);
}

/* Metadata of a node that has no fd of its own (symlink, device, fifo). */
static int set_node_metadata(struct extractor *x, const struct tar_entry *e, int64_t uid, int64_t gid, int dirfd,
			     const char *name, const char *rel, bool is_symlink, struct rkt_error *err)
{
	if (x->can_chown && fchownat(dirfd, name, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_entry(x, "chown", rel, errno, err);
	if (!is_symlink && needs_chmod(x, e->mode) && fchmodat(dirfd, name, e->mode, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_entry(x, "chmod", rel, errno, err);
	if (apply_xattrs(x, e, -1, dirfd, name, rel, err) < 0)
		return -1;
	struct timespec times[2] = { e->atime, e->mtime };
	if (utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_entry(x, "set times of", rel, errno, err);
	return 0;
}

/* Records the entry digest of a symlink, device or fifo just made from `e`. */
static int digest_node(struct extractor *x, const struct tar_entry *e, int64_t uid, int64_t gid, const char *rel,
		       struct rkt_error *err)
{
	if (e->type == TAR_SYMLINK) {
		digest_begin(x, 'l', 0777, uid, gid);
		digest_put_str(&x->entry, e->linkname);
	} else if (e->type == TAR_FIFO) {
		digest_begin(x, 'p', e->mode, uid, gid);
	} else {
		digest_begin(x, e->type == TAR_CHAR ? 'c' : 'b', e->mode, uid, gid);
		digest_put_u64(&x->entry, e->devmajor);
		digest_put_u64(&x->entry, e->devminor);
	}
	return digest_xattrs(x, e, rel, err) < 0 ? -1 : digest_record(x, rel, err);
}

static int extract_symlink(struct extractor *x, const struct tar_entry *e, int64_t uid, int64_t gid, int dirfd,
			   const char *name, const char *rel, struct rkt_error *err)
{
	int created = create_node(x, e, dirfd, name, rel, "symlink", make_symlink, err);
	if (created <= 0)
		return created;
	if (set_node_metadata(x, e, uid, gid, dirfd, name, rel, true, err) < 0)
		return -1;
	return x->digest ? digest_node(x, e, uid, gid, rel, err) : 0;
}

static int extract_special(struct extractor *x, const struct tar_entry *e, int64_t uid, int64_t gid, int dirfd,
			   const char *name, const char *rel, struct rkt_error *err)
{
	int created = create_node(x, e, dirfd, name, rel, "mknod", make_special, err);
	if (created <= 0)
		return created;
	if (set_node_metadata(x, e, uid, gid, dirfd, name, rel, false, err) < 0)
		return -1;
	return x->digest ? digest_node(x, e, uid, gid, rel, err) : 0;
}

/* Cleans an archive name and maps it into the destination: "" is the destination itself.
 * Returns 1 with *rel set, 0 to skip an entry outside the selection, -1 on an unsafe name. */
static int map_name(struct extractor *x, const char *name, char *clean, size_t size, const char **rel,
		    struct rkt_error *err)
{
	int absolute;
	enum path_clean_result r = path_clean(name, clean, size, &absolute);
	if (r == PATH_CLEAN_TOO_LONG)
		return rkt_fail(err, "extract", x->archive, "entry name too long: \"%.200s\"", name);
	if (r == PATH_CLEAN_ESCAPES || absolute)
		return rkt_fail(err, "extract", x->archive, "entry \"%.200s\" points outside the destination", name);
	*rel = (x->flags & RKT_EXTRACT_STRIP_ROOTFS) ? path_strip_prefix(clean, "rootfs") : clean;
	return *rel != NULL;
}

static int extract_hardlink(struct extractor *x, const struct tar_entry *e, int dirfd, const char *name,
			    const char *rel, struct rkt_error *err)
{
	char clean[PATH_MAX];
	const char *target;
	int m = map_name(x, e->linkname, clean, sizeof clean, &target, err);
	if (m < 0)
		return -1;
	if (m == 0 || target[0] == '\0')
		return rkt_fail(err, "extract", full_path(x, rel),
				"hardlink target \"%.200s\" is outside the image root", e->linkname);
	char *slash = strrchr(clean + (target - clean), '/'); /* target points into our own buffer */
	const char *target_name = slash ? slash + 1 : target;
	if (slash)
		*slash = '\0';
	int target_dir = open_beneath(x->root_fd, slash ? target : "", O_RDONLY | O_DIRECTORY | O_PATH);
	if (target_dir < 0)
		return fail_entry(x, "link to", slash ? target : "", errno, err);
	/* The link is not remembered as created: its inode may be an earlier image's file. */
	int rc = 1;
	if (linkat(target_dir, target_name, dirfd, name, 0) < 0) {
		if (errno != EEXIST)
			rc = fail_entry(x, "link", rel, errno, err);
		else if ((rc = make_room(x, dirfd, name, rel, err)) > 0 &&
			 linkat(target_dir, target_name, dirfd, name, 0) < 0)
			rc = fail_entry(x, "link", rel, errno, err);
	}
	close(target_dir);
	if (slash)
		*slash = '/';
	if (rc <= 0 || !x->digest)
		return rc < 0 ? -1 : 0;
	int linked = tree_digest_link(x->digest, rel, target);
	if (linked < 0)
		return fail_entry(x, "extract", rel, errno, err);
	x->digest_lost |= linked > 0; /* a link to what was there before */
	return 0;
}

/* Records `parent` and its ancestors as directories, made by entries or as missing parents. */
static int digest_parents(struct extractor *x, char *parent, struct rkt_error *err)
{
	while (parent[0] && !tree_digest_has_dir(x->digest, parent)) {
		if (tree_digest_add_dir(x->digest, parent) < 0)
			return fail_entry(x, "extract", parent, errno, err);
		char *slash = strrchr(parent, '/');
		*(slash ? slash : parent) = '\0';
	}
	return 0;
}

int extractor_entry(struct extractor *x, struct tar_reader *r, const struct tar_entry *e, struct rkt_error *err)
{
	x->reader = r;
	char clean[PATH_MAX];
	const char *rel;
	int m = map_name(x, e->name, clean, sizeof clean, &rel, err);
	if (m <= 0)
		return m;

	bool is_dir = e->type == TAR_DIRECTORY;
	switch (e->type) {
	case TAR_REGULAR:
	case TAR_HARDLINK:
	case TAR_SYMLINK:
	case TAR_CHAR:
	case TAR_BLOCK_DEVICE:
	case TAR_DIRECTORY:
	case TAR_FIFO:
		break;
	default:
		return rkt_fail(err, "extract", full_path(x, rel), "unsupported tar entry type '%c'", e->type);
	}
	if ((x->flags & RKT_EXTRACT_WHITELIST) && (!is_dir || (x->flags & RKT_EXTRACT_WHITELIST_DIRS))) {
		const char *in_rootfs =
			(x->flags & RKT_EXTRACT_STRIP_ROOTFS) ? rel : path_strip_prefix(clean, "rootfs");
		if (in_rootfs && in_rootfs[0] && !whitelisted(x, in_rootfs))
			return 0;
	}
	int64_t uid = e->uid, gid = e->gid;
	if (id_shift_apply(&x->shift, &uid, &gid, full_path(x, rel), err) < 0)
		return -1;

	if (rel[0] == '\0') {
		if (!is_dir)
			return rkt_fail(err, "extract", x->dest, "entry \"%.200s\" would replace the destination",
					e->name);
		if (x->flags & RKT_EXTRACT_SKIP_EXISTING)
			return 0;
		return set_dir_metadata(x, e, uid, gid, x->root_fd, false, "", err);
	}
	const char *slash = strrchr(rel, '/');
	const char *name = slash ? slash + 1 : rel;
	char parent[PATH_MAX];
	size_t parent_len = slash ? (size_t)(slash - rel) : 0;
	memcpy(parent, rel, parent_len);
	parent[parent_len] = '\0';

	int dirfd = dir_stack_open(&x->dirs, parent, true);
	if (dirfd < 0) {
		int open_errno = errno;
		if (parent_blocked_by_earlier_image(x, parent, open_errno)) {
			x->digest_lost = true;
			return 0;
		}
		if (open_errno == ELOOP || open_errno == EXDEV || open_errno == ENOTDIR)
			return rkt_fail(err, "extract", full_path(x, rel),
					"a parent path is a symlink or not a directory");
		return fail_entry(x, "open parent directory of", rel, open_errno, err);
	}
	if (x->digest && digest_parents(x, parent, err) < 0)
		return -1;
	switch (e->type) {
	case TAR_REGULAR:
		return extract_file(x, e, uid, gid, dirfd, name, rel, err);
	case TAR_DIRECTORY:
		return extract_dir(x, e, uid, gid, dirfd, name, rel, err);
	case TAR_SYMLINK:
		return extract_symlink(x, e, uid, gid, dirfd, name, rel, err);
	case TAR_HARDLINK:
		return extract_hardlink(x, e, dirfd, name, rel, err);
	default:
		return extract_special(x, e, uid, gid, dirfd, name, rel, err);
	}
}

int extractor_finish(struct extractor *x, struct rkt_error *err)
{
	for (size_t i = 0; i < x->deferred_count; i++) {
		const struct deferred_dir *d = &x->deferred[i];
		int fd = dir_stack_open(&x->dirs, d->path, false);
		/* A later entry of the archive replaced the directory: nothing left to finish. */
		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
			continue;
		if (fd < 0)
			return fail_entry(x, "open", d->path, errno, err);
		if (d->fix_mode && fchmod(fd, d->mode) < 0)
			return fail_entry(x, "chmod", d->path, errno, err);
		if (futimens(fd, d->times) < 0)
			return fail_entry(x, "set times of", d->path, errno, err);
	}
	return 0;
}

void extractor_free(struct extractor *x)
{
	if (!x)
		return;
	dir_stack_reset(&x->dirs);
	for (size_t i = 0; i < x->whitelist_count; i++)
		free(x->whitelist[i]);
	free(x->whitelist);
	for (size_t i = 0; i < x->deferred_count; i++)
		free(x->deferred[i].path);
	free(x->deferred);
	inode_map_free(&x->created);
	tree_digest_free(x->digest);
	free(x->file.buf);
	if (x->file.fd >= 0)
		close(x->file.fd);
	if (x->root_fd >= 0)
		close(x->root_fd);
	free(x);
}

struct extractor *extractor_new(const char *archive, const char *dest_dir, int flags, int64_t uid_shift,
				const char *whitelist, int whitelist_count, struct rkt_error *err)
{
	struct extractor *x = calloc(1, sizeof *x);
	if (!x) {
		rkt_fail_sys(err, "extract", archive, ENOMEM);
		return NULL;
	}
	x->file.fd = -1;
	x->archive = archive;
	x->dest = dest_dir;
	x->reserve_op = "extract";
	x->reserve_object = dest_dir;
	x->flags = flags;
	x->shift = (struct id_shift){ .enabled = (flags & RKT_EXTRACT_UID_SHIFT) != 0, .shift = uid_shift };
	x->can_chown = fsmeta_can_chown();
	x->umask = fsmeta_umask();
	x->root_fd = open(dest_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = x->root_fd < 0 ? rkt_fail_sys(err, "open", dest_dir, errno) : 0;
	dir_stack_init(&x->dirs, x->root_fd);
	if (rc == 0 && (flags & RKT_EXTRACT_WHITELIST))
		rc = load_whitelist(x, whitelist, whitelist_count, err);
	if (rc < 0) {
		extractor_free(x);
		return NULL;
	}
	return x;
}

void extractor_name_reserve_failures(struct extractor *x, const char *op, const char *object)
{
	x->reserve_op = op;
	x->reserve_object = object;
}

int extractor_hash_tree(struct extractor *x, struct rkt_error *err)
{
	/* Without chown the owners are not the entries': the walk is exact where this is not. */
	if (!x->can_chown)
		return 0;
	if (!(x->digest = tree_digest_new()))
		return rkt_fail_sys(err, "extract", x->archive, ENOMEM);
	return 0;
}

/* A directory's entry digest, read from the disk: its mode and xattrs as they ended up. */
static int digest_dir(void *ctx, const char *path, uint8_t entry[SHA512_DIGEST_SIZE], struct rkt_error *err)
{
	struct extractor *x = ctx;
	int fd = dir_stack_open(&x->dirs, path, false);
	if (fd < 0)
		return fail_entry(x, "open", path, errno, err);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return fail_entry(x, "stat", path, errno, err);
	struct xattr_set set;
	if (xattr_set_read(&set, fd, -1, NULL) < 0) {
		int errnum = errno;
		xattr_set_free(&set);
		return fail_entry(x, "list xattrs of", path, errnum, err);
	}
	sha512_init(&x->entry);
	digest_put_node(&x->entry, 'd', st.st_mode, st.st_uid, st.st_gid);
	digest_put_xattrs(&x->entry, &set, true);
	xattr_set_free(&set);
	sha512_final(&x->entry, entry);
	return 0;
}

int extractor_tree_hash(struct extractor *x, char out[TREE_HASH_MAX], struct rkt_error *err)
{
	out[0] = '\0';
	if (!x->digest || x->digest_lost)
		return 0;
	return tree_digest_final(x->digest, digest_dir, x, out, err);
}

static int open_file_source(struct file_source *f, const char *tar_path, struct rkt_error *err)
{
	f->fd = open(tar_path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return rkt_fail_sys(err, "open", tar_path, errno);
	struct stat st;
	if (fstat(f->fd, &st) < 0)
		return rkt_fail_sys(err, "stat", tar_path, errno);
	posix_fadvise(f->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	f->size = (uint64_t)st.st_size;
	f->path = tar_path;
	f->src.refill = file_refill;
	f->src.skip_unread = file_skip_unread;
	if (!(f->buf = malloc(READ_SIZE)))
		return rkt_fail_sys(err, "extract", tar_path, ENOMEM);
	return 0;
}

/* Whether the file is a plain tar (read directly) rather than compressed (read through an inflate_source). */
static int is_plain_tar(const char *path, bool *plain, struct rkt_error *err)
{
	struct decompressor *d = decompressor_open(path, NULL, err);
	if (!d)
		return -1;
	*plain = strcmp(decompressor_format(d), "tar") == 0;
	decompressor_close(d);
	return 0;
}

static int extract_all(struct extractor *x, struct tar_source *src, const char *path, struct rkt_error *err)
{
	struct tar_reader reader;
	tar_reader_init(&reader, src, path);
	struct tar_entry e;
	int rc;
	while ((rc = tar_reader_next(&reader, &e, err)) > 0) {
		rc = extractor_entry(x, &reader, &e, err);
		tar_entry_free(&e);
		if (rc < 0)
			return -1;
	}
	return rc < 0 ? -1 : extractor_finish(x, err);
}

int rkt_extract(const char *tar_path, const char *dest_dir, int32_t flags, int64_t uid_shift, const char *whitelist,
		int32_t whitelist_count, struct rkt_error *err)
{
	bool plain;
	if (is_plain_tar(tar_path, &plain, err) < 0)
		return -1;
	struct extractor *x = extractor_new(tar_path, dest_dir, flags, uid_shift, whitelist, whitelist_count, err);
	if (!x)
		return -1;
	int rc;
	if (plain) {
		rc = open_file_source(&x->file, tar_path, err);
		if (rc == 0)
			rc = extract_all(x, &x->file.src, tar_path, err);
	} else {
		struct inflate_source *s = inflate_source_open(tar_path, NULL, NULL, NULL, err);
		rc = s ? extract_all(x, inflate_source_tar(s), tar_path, err) : -1;
		inflate_source_close(s);
	}
	extractor_free(x);
	return rc;
}
