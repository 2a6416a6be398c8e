/* A file still being written by another thread (a layer while it downloads), read as it
 * grows: a read that meets the current end waits until the writer says the file grew or
 * ended, so a decompressor can follow the download instead of waiting for all of it. The
 * writer checks the file (its digest) before it says it ended well; until then the reader
 * never sees an end of file, and a file that ended badly is a read error. */
#ifndef RKT_GROWING_FILE_H
#define RKT_GROWING_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct growing_file;

struct growing_file *growing_file_new(void);

/* The writer's side: more bytes are in the file. */
void growing_file_grew(struct growing_file *g);

/* The writer's side: the file is whole and checked (`whole`), or will grow no more. The
 * first call counts; the reader also calls it (not whole) when it gives up. */
void growing_file_end(struct growing_file *g, bool whole);

/* read(2) of `fd` that waits at the current end while `g` is still growing; `g` NULL reads
 * `fd` as it is. `path` names the file in errors. */
ssize_t growing_file_read(struct growing_file *g, int fd, void *buf, size_t len, const char *path,
			  struct rkt_error *err);

/* Waits until the writer says the file ended: 0 when whole, -1 (with *err, naming `path`)
 * when broken. For a reader that stops before the file's end (a decompressor ignores what
 * follows the compressed stream), so that it never succeeds on a file not yet checked. */
int growing_file_wait_end(struct growing_file *g, const char *path, struct rkt_error *err);

void growing_file_free(struct growing_file *g);

#endif
