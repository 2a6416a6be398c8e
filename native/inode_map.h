/* Remembers the first path seen for each multiply-linked inode, so that tree walks can
 * treat later names of the same file as hardlinks. */
#ifndef RKT_INODE_MAP_H
#define RKT_INODE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct inode_map {
	struct inode_slot {
		dev_t dev;
		ino_t ino;
		char *path; /* NULL = empty slot */
	} * slots;
	size_t cap, used;
};

/* Returns the path recorded for (dev, ino), or records `path` and returns NULL.
 * On allocation failure returns NULL with errno = ENOMEM and *failed set. */
const char *inode_map_find_or_add(struct inode_map *m, dev_t dev, ino_t ino, const char *path, int *failed);
/* Whether (dev, ino) was recorded. */
bool inode_map_contains(const struct inode_map *m, dev_t dev, ino_t ino);
void inode_map_free(struct inode_map *m);

#endif
