/* Applying ownership, mode, times and xattrs to something just created, without ever
 * following a symlink: through an fd where there is one, else through the parent's fd. */
#ifndef RKT_FSMETA_H
#define RKT_FSMETA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"

/* The uid/gid shift for user namespaces: IDs must be below 65536 and are moved up by `shift`. */
struct id_shift {
	bool enabled;
	int64_t shift;
};

/* Applies the shift; fails with the spec's "out of range" message for IDs >= 65536. */
int id_shift_apply(const struct id_shift *shift, int64_t *uid, int64_t *gid, const char *path, struct rkt_error *err);

/* Whether we may chown (we are root); fixed for the life of the process. */
bool fsmeta_can_chown(void);

/* The process umask, read without changing it. */
mode_t fsmeta_umask(void);

/* Whether an image may set this xattr (an extraction drops the others). */
bool fsmeta_image_may_set_xattr(const char *name, size_t len);

/* Sets one xattr on the entry `name` in directory `dirfd` (fd < 0) or on `fd`. */
int fsmeta_set_xattr(int fd, int dirfd, const char *name, const char *key, const void *value, size_t len);

/* Copies `len` bytes from in_fd at *in_off to out_fd (at its position) with copy_file_range,
 * falling back to read/write when the kernel or filesystem cannot. Returns 0 or -1 (errno);
 * reaching the end of in_fd early is EIO. */
int fsmeta_copy_range(int in_fd, off_t *in_off, int out_fd, uint64_t len);

int fsmeta_write_all(int fd, const void *data, size_t len);

/* The extended attributes of one file, names sorted (for hashing and copying). */
struct xattr_set {
	size_t count;
	char **names;
	uint8_t **values;
	size_t *lens;
	char *name_buf;
};

/* Reads all xattrs of `fd`, or (fd < 0) of the entry `name` in `dirfd` without following
 * it. Returns 0 or -1 with errno. */
int xattr_set_read(struct xattr_set *set, int fd, int dirfd, const char *name);
void xattr_set_free(struct xattr_set *set);

#endif
