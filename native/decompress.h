/* Streaming decompression of an image file whose format is told by its magic bytes
 * (gzip, bzip2, xz, or a plain tar). */
#ifndef RKT_DECOMPRESS_H
#define RKT_DECOMPRESS_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct decompressor;

struct growing_file;

/* Opens `path`, reads its first bytes and picks the decoder; an unknown format fails with
 * `unknown image filetype`. `follow`, when not NULL, is the file's growth while another
 * thread still writes it (growing_file.h): reads then wait for it. */
struct decompressor *decompressor_open(const char *path, struct growing_file *follow, struct rkt_error *err);

/* Fills `out` with up to `cap` decompressed bytes (fewer only at the end). Returns the
 * count, 0 at the end of the data, or -1 on error (corrupt or truncated input). */
ssize_t decompressor_read(struct decompressor *d, unsigned char *out, size_t cap, struct rkt_error *err);

/* The format told by the magic bytes: "tar", "gzip", "bzip2" or "xz". */
const char *decompressor_format(const struct decompressor *d);

void decompressor_close(struct decompressor *d);

#endif
