/* The list cache, `pods/list-cache`: each prepared pod's list summary, keyed by the pod's UUID
 * and the inode of its directory, so that `rkt list` reads one file instead of one per pod. */
#ifndef RKT_LIST_CACHE_H
#define RKT_LIST_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* The bound (exclusive) of a list summary read or cached: a few hundred bytes per app (src/pod/list-summary.ts). */
#define LIST_SUMMARY_MAX (1 << 20)

struct list_cache_record {
	const char *name; /* the pod's UUID, as its directory is named */
	uint64_t inode;
	const unsigned char *summary;
	size_t summary_len;
	const unsigned char *bytes; /* the whole record, as appended */
	size_t len;
};

struct list_cache {
	unsigned char *data;
	struct list_cache_record *records; /* sorted by name, then inode */
	size_t count;
	size_t len; /* the bytes read, or one more than the bound for a larger file */
};

/* The valid records at the start of the cache in `pods_dir` (list_cache.c says which are).
 * Never fails: a missing, unreadable or corrupt cache just has fewer records, none at all
 * when it is larger than the bound, unless `take_prefix` asks for the records of its start. */
void list_cache_read(struct list_cache *cache, const char *pods_dir, int take_prefix);
/* The record of the pod `name` whose directory is inode `inode`, or NULL. */
const struct list_cache_record *list_cache_find(const struct list_cache *cache, const char *name, uint64_t inode);
void list_cache_free(struct list_cache *cache);

#endif
