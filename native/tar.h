/* A pull reader of tar archives (ustar, GNU long names and links, PAX extended headers),
 * shared by the import scanner and the extractor. Bytes come from a `tar_source`, so the
 * same reader works over a decompressing pipeline and over a plain file. */
#ifndef RKT_TAR_H
#define RKT_TAR_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"

#define TAR_BLOCK 512

struct tar_source {
	const uint8_t *data; /* current chunk */
	size_t len;
	size_t pos;
	/* Replaces the chunk (pos = 0); returns 1 with data, 0 at end of input, -1 on error. */
	int (*refill)(struct tar_source *src, struct rkt_error *err);
	/* Optional: skips `n` bytes past the current chunk without reading them. */
	int (*skip_unread)(struct tar_source *src, uint64_t n, struct rkt_error *err);
};

enum tar_type {
	TAR_REGULAR = '0',
	TAR_HARDLINK = '1',
	TAR_SYMLINK = '2',
	TAR_CHAR = '3',
	TAR_BLOCK_DEVICE = '4',
	TAR_DIRECTORY = '5',
	TAR_FIFO = '6',
};

struct tar_xattr {
	char *name;
	uint8_t *value;
	size_t len;
};

struct tar_entry {
	char *name; /* as stored (not cleaned) */
	char *linkname; /* hardlink/symlink target, as stored */
	char type; /* one of enum tar_type */
	uint64_t size; /* bytes of data that follow (0 for header-only types) */
	uint32_t mode; /* permission bits including setuid/setgid/sticky */
	int64_t uid, gid;
	struct timespec mtime, atime;
	uint32_t devmajor, devminor;
	struct tar_xattr *xattrs;
	size_t xattr_count;
};

struct tar_reader {
	struct tar_source *src;
	const char *archive; /* for error messages */
	uint64_t data_left; /* unread data bytes of the current entry */
	uint64_t padding; /* zero bytes after that data up to the next block */
	int finished;
};

void tar_reader_init(struct tar_reader *r, struct tar_source *src, const char *archive);

/* Reads the next entry header (skipping what is left of the previous entry's data).
 * Returns 1 with *entry filled (release it with tar_entry_free), 0 at the end, -1 on error. */
int tar_reader_next(struct tar_reader *r, struct tar_entry *entry, struct rkt_error *err);

/* Points *data at up to *len (at most the entry's remaining) bytes of the current entry's
 * data, valid until the next call. Returns 0, or -1 on error (truncated archive). */
int tar_reader_data(struct tar_reader *r, const uint8_t **data, size_t *len, struct rkt_error *err);

/* Skips `n` bytes of the current entry's data (n <= remaining). */
int tar_reader_skip_data(struct tar_reader *r, uint64_t n, struct rkt_error *err);

/* Bytes of the current chunk not yet consumed (the reader's look-ahead). */
size_t tar_source_buffered(const struct tar_source *src);

void tar_entry_free(struct tar_entry *entry);

#endif
