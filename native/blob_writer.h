/* A blob written and hashed (SHA-512) on a thread of its own while the caller goes on
 * with the stream (the import extracts it): chunks are copied into a bounded ring of
 * buffers, and writing stops before the filesystem drops under its reserve. */
#ifndef RKT_BLOB_WRITER_H
#define RKT_BLOB_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "sha512.h"

struct blob_writer;

/* Starts the thread writing to `fd` (`path` in messages); a reserve failure is reported
 * as `op object`. */
struct blob_writer *blob_writer_open(int fd, const char *path, const char *op, const char *object,
				     struct rkt_error *err);

/* Queues a copy of `data`; fails with the thread's error once it has one. */
int blob_writer_push(struct blob_writer *w, const uint8_t *data, size_t len, struct rkt_error *err);

/* Waits for everything queued to be written; the SHA-512 of it all into `hex_out`. */
int blob_writer_finish(struct blob_writer *w, char hex_out[SHA512_HEX_SIZE], struct rkt_error *err);

/* Stops the thread (dropping what is queued) and frees everything; NULL is fine. */
void blob_writer_close(struct blob_writer *w);

#endif
