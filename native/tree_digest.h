/* The tree hash's encoding, shared by the walk of a tree (tree_hash.c) and by the extractor,
 * which computes version 2 from the entries as it writes them.
 *
 * Version 1 is one SHA-512 over the entries in walk order (names sorted within each
 * directory), each as its path and fields. Version 2 is a SHA-512 over the same order of
 * records (path, entry digest), where an entry digest is a SHA-512 of the entry's fields
 * alone, so that a writer can compute each entry on its own, in any order, and sort at the
 * end. Fields of both: type, mode & 07777, uid, gid, then a symlink's target, a device's
 * numbers, a regular file's size and bytes, with the xattrs before the size (files,
 * directories) or after the rest (others). Version 2 covers only the xattrs an image may
 * set (fsmeta_image_may_set_xattr), as those are the ones the extractor writes. A later
 * name of a multiply-linked file is recorded as a link to its first name in walk order. */
#ifndef RKT_TREE_DIGEST_H
#define RKT_TREE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "fsmeta.h"
#include "sha512.h"

#define TREE_HASH_V2_PREFIX "v2:"
#define TREE_HASH_MAX 140 /* "v2:sha512-" + 128 hex digits + NUL, rounded up */

void digest_put_u64(struct sha512 *h, uint64_t v);
void digest_put_bytes(struct sha512 *h, const void *p, size_t n);
void digest_put_str(struct sha512 *h, const char *s);

/* The type letter of a node (f, d, l, c, b, p; '?' for others). */
char digest_type_of(mode_t mode);

/* Starts an entry's fields: type, mode, owner. */
void digest_put_node(struct sha512 *h, char type, mode_t mode, uint64_t uid, uint64_t gid);

/* Puts an xattr set (names sorted); `image_only` (version 2) keeps only those an image may set. */
void digest_put_xattrs(struct sha512 *h, const struct xattr_set *set, bool image_only);

/* The record of one entry in a version 2 tree hash: a node of its own (its entry digest),
 * or a later name of the file first named `first`. */
void digest_put_record(struct sha512 *tree, const char *path, const uint8_t entry[SHA512_DIGEST_SIZE]);
void digest_put_link_record(struct sha512 *tree, const char *path, const char *first);

/* Orders paths as a walk visits them: component by component, names bytewise. */
int digest_compare_paths(const char *a, const char *b);

/* Writes `prefix` + "sha512-" + the hex digest of `h` to out (TREE_HASH_MAX bytes). */
void digest_final_hex(struct sha512 *h, const char *prefix, char out[TREE_HASH_MAX]);

/* The entries an extraction wrote, by path, for its version 2 tree hash. A later entry at
 * a path replaces the earlier one; directories are only named while extracting and
 * digested from the disk at the end (their mode and xattrs settle only then). */
struct tree_digest;

struct tree_digest *tree_digest_new(void);
void tree_digest_free(struct tree_digest *t);

/* Records a node just written at `path`: a new file (a fresh link group). Returns 0 or -1 (ENOMEM). */
int tree_digest_set(struct tree_digest *t, const char *path, const uint8_t entry[SHA512_DIGEST_SIZE]);
/* Records `path` as a new name of the node at `target`; returns 0, 1 when `target` is not a
 * node this extraction recorded, or -1 (ENOMEM). */
int tree_digest_link(struct tree_digest *t, const char *path, const char *target);
/* Records that `path` is a directory (made by an entry or as a missing parent), once. */
int tree_digest_add_dir(struct tree_digest *t, const char *path);
/* Whether `path` was recorded as a directory. */
bool tree_digest_has_dir(const struct tree_digest *t, const char *path);
/* Forgets `path` and everything below it (replaced by a later entry). */
void tree_digest_remove(struct tree_digest *t, const char *path);

/* Digests a recorded directory from the disk, in walk order; returns 0 or -1 with err set. */
typedef int (*dir_digest_fn)(void *ctx, const char *path, uint8_t entry[SHA512_DIGEST_SIZE], struct rkt_error *err);

/* The version 2 tree hash ("v2:sha512-..."), directories digested by `dir_digest`. */
int tree_digest_final(struct tree_digest *t, dir_digest_fn dir_digest, void *ctx, char out[TREE_HASH_MAX],
		      struct rkt_error *err);

#endif
