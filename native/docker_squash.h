/* Docker layers squashed into one ACI tar stream, in C: a first pass over the layers'
 * entry names records, per path, the highest layer that provides it, whites it out
 * (`.wh.NAME`) or makes it opaque (`.wh..wh..opq`); the stream then reads the layers
 * bottom-up and keeps an entry only if no higher layer replaced, deleted or hid it. A
 * directory present in several layers is written once, at its lowest layer (parents still
 * come before children), with the highest layer's metadata. The stream is `manifest`,
 * `rootfs`, the kept entries under `rootfs/`, and the end of the archive. A hardlink whose
 * target a higher layer replaced or deleted keeps the file: the first such link is written
 * as the file (read again from its layer), the layer's other links to it link to that.
 * Nothing of the moment goes in, so the same layers and manifest always make the same
 * bytes. A layer entry whose name or hardlink target climbs out of the root, or a
 * malformed whiteout, fails the squash. */
#ifndef RKT_DOCKER_SQUASH_H
#define RKT_DOCKER_SQUASH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tar.h"

struct docker_squash;

/* Called with every chunk of the stream, in order, before the tar reader sees it; nonzero
 * (with *err set) stops the stream with that error. */
typedef int (*squash_chunk_fn)(void *ctx, const uint8_t *data, size_t len, struct rkt_error *err);

struct growing_file;

/* Indexes `count` layer files (bottom first; gzip, bzip2, xz or plain tar) and returns the
 * stream; `mtime` (seconds) dates `manifest` and `rootfs`. The layers above the bottom one
 * are read whole here (they decide what of the lower ones is seen); the stream begins with
 * the bottom one, which may still be arriving: it is read following `bottom_follow`
 * (growing_file.h) when not NULL. */
struct docker_squash *docker_squash_open(const char *const *layers, int count, struct growing_file *bottom_follow,
					 const char *manifest, size_t manifest_len, int64_t mtime,
					 squash_chunk_fn on_chunk, void *ctx, struct rkt_error *err);

/* The stream, for tar_reader_init. */
struct tar_source *docker_squash_tar(struct docker_squash *s);

/* Produces the rest of the stream (for on_chunk) to its end. */
int docker_squash_drain(struct docker_squash *s, struct rkt_error *err);

/* NULL is fine. */
void docker_squash_close(struct docker_squash *s);

#endif
