/* The decompressed stream of an image file as a tar_source: a second thread decompresses
 * into a bounded ring of buffers while the caller consumes them, so decompression and
 * whatever the caller does with the bytes (hash, extract, write) share two cores. */
#ifndef RKT_INFLATE_SOURCE_H
#define RKT_INFLATE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tar.h"

struct inflate_source;

/* Called on the decompression thread with every decompressed chunk, in order, before the
 * tar reader sees it; nonzero (with *err set) stops the stream with that error. */
typedef int (*inflate_chunk_fn)(void *ctx, const uint8_t *data, size_t len, struct rkt_error *err);

struct growing_file;

/* Opens `path` (any format decompressor_open knows, `follow` as it takes it) and starts
 * the decompression thread. `on_chunk` may be NULL. */
struct inflate_source *inflate_source_open(const char *path, struct growing_file *follow, inflate_chunk_fn on_chunk,
					   void *ctx, struct rkt_error *err);

/* The stream, for tar_reader_init. */
struct tar_source *inflate_source_tar(struct inflate_source *s);

/* Reads the rest of the stream (for on_chunk) to its end. */
int inflate_source_drain(struct inflate_source *s, struct rkt_error *err);

/* Stops the thread and frees everything; NULL is fine. */
void inflate_source_close(struct inflate_source *s);

#endif
