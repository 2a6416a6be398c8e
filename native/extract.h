/* The extractor as a sink of tar entries, for a caller that reads the archive itself (the
 * import renders the tree while it hashes the stream). rkt_extract drives it over a file. */
#ifndef RKT_EXTRACT_H
#define RKT_EXTRACT_H

#include <stdint.h>

#include "error.h"
#include "tar.h"
#include "tree_digest.h"

struct extractor;

/* Starts extracting beneath `dest_dir` with rkt_extract's flags; `archive` names the source
 * in messages. */
struct extractor *extractor_new(const char *archive, const char *dest_dir, int flags, int64_t uid_shift,
				const char *whitelist, int whitelist_count, struct rkt_error *err);

/* Names the failure of a KEEP_RESERVE check `op object` instead of `extract <dest>` (the
 * import names the image file, not its scratch directory). */
void extractor_name_reserve_failures(struct extractor *x, const char *op, const char *object);

/* Extracts one entry whose header `r` just read; its data is read from `r`. */
int extractor_entry(struct extractor *x, struct tar_reader *r, const struct tar_entry *e, struct rkt_error *err);

/* Sets the directories' times and modes, once every entry is in. */
int extractor_finish(struct extractor *x, struct rkt_error *err);

/* Computes the version 2 tree hash (tree_digest.h) of the nodes written from the entries
 * that follow: each from the bytes and metadata as written, directories read back at the
 * end. Not possible, and left to a walk of the tree, when not running as root. */
int extractor_hash_tree(struct extractor *x, struct rkt_error *err);

/* After extractor_finish: the tree hash ("v2:sha512-...") of the destination, or "" when
 * extractor_hash_tree was not possible or an entry met or kept a node that was there
 * before the archive (skip mode over an existing tree). */
int extractor_tree_hash(struct extractor *x, char out[TREE_HASH_MAX], struct rkt_error *err);

void extractor_free(struct extractor *x);

#endif
