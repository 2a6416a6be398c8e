/* Lexical path handling for names that come from archives and whitelists. */
#ifndef RKT_PATH_H
#define RKT_PATH_H

#include <stddef.h>

enum path_clean_result {
	PATH_CLEAN_OK,
	PATH_CLEAN_ESCAPES, /* `..` climbs above the start */
	PATH_CLEAN_TOO_LONG, /* does not fit the output buffer */
};

/* Cleans `in` like Go's path.Clean, relative to a root: `.` and empty components go,
 * `a/..` pairs cancel, leading slashes are dropped (an absolute name is taken relative to
 * the root; `*was_absolute` says it was one). The root itself comes out as "". */
enum path_clean_result path_clean(const char *in, char *out, size_t out_size, int *was_absolute);

/* `base/name` into out (just one of them when the other is empty); returns 0, or -1 when too long. */
int path_join(char *out, size_t out_size, const char *base, const char *name);

/* If `path` is `prefix` or lies below it, returns the rest ("" or "x/y"); else NULL. */
const char *path_strip_prefix(const char *path, const char *prefix);

#endif
