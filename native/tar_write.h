/* Tar headers written from a tar_entry: a ustar block, preceded by a PAX extended header
 * for what ustar cannot hold (long or non-ASCII names, big numbers, sub-second or negative
 * times, xattrs). User and group names are not written: images are owned by number. */
#ifndef RKT_TAR_WRITE_H
#define RKT_TAR_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "tar.h"

/* A growing byte buffer. */
struct tar_buf {
	uint8_t *data;
	size_t len, cap;
};

/* Appends the header of `e` stored under `name` (a directory's gets its trailing slash
 * here) to `out`; the caller writes the e->size bytes of data and tar_padding(e->size)
 * zeros after it. Returns 0, or -1 when out of memory. */
int tar_write_header(struct tar_buf *out, const char *name, const struct tar_entry *e);

/* Zero bytes after `size` bytes of data, up to the next block. */
size_t tar_padding(uint64_t size);

/* Appends `len` bytes, or zeros; 0, or -1 when out of memory. */
int tar_buf_append(struct tar_buf *b, const void *data, size_t len);
int tar_buf_append_zeros(struct tar_buf *b, size_t len);

void tar_buf_free(struct tar_buf *b);

#endif
