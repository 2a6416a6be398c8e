/* The exclusive flock(2) locks of the whole system, from one read of /proc/locks: `rkt list`
 * asks it which pods are held instead of opening and locking each pod directory. */
#ifndef RKT_LOCK_TABLE_H
#define RKT_LOCK_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct lock_table {
	/* 1 when every exclusive flock of the system is in `inodes`: only then does a missing inode mean unlocked. */
	int complete;
	size_t count;
	uint64_t *inodes; /* sorted; of any device: a match says "maybe locked", never "unlocked" */
};

/* Reads /proc/locks; never fails: a table it cannot trust is left incomplete. */
void lock_table_read(struct lock_table *table);
/* Whether some exclusive flock is on an inode numbered `ino` (of any filesystem). */
int lock_table_has(const struct lock_table *table, uint64_t ino);
/* Whether the table's inode numbers are those that readdir and stat(2) give on the filesystem open as `fd`. */
int lock_table_covers_filesystem(int fd);
void lock_table_free(struct lock_table *table);

#endif
