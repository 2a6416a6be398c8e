/* The names in a directory, read in full before anything is changed, sorted bytewise. */
#ifndef RKT_DIRLIST_H
#define RKT_DIRLIST_H

#include <stddef.h>
#include <stdint.h>

struct dir_list {
	size_t count;
	char **names;
	unsigned char *types; /* d_type of each name (DT_UNKNOWN where the filesystem does not say) */
	uint64_t *inodes; /* d_ino of each name: the inode below any mount on it */
};

/* Lists the directory open as `fd` (the fd stays open and unchanged). Returns 0 or -1/errno. */
int dir_list_read(struct dir_list *list, int fd);
void dir_list_free(struct dir_list *list);

#endif
