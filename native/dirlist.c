#define _GNU_SOURCE
#include "dirlist.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct named {
	char *name;
	unsigned char type;
	uint64_t inode;
};

static int compare_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

int dir_list_read(struct dir_list *list, int fd)
{
	memset(list, 0, sizeof *list);
	int own = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* fdopendir takes the fd over */
	if (own < 0)
		return -1;
	DIR *dir = fdopendir(own);
	if (!dir) {
		close(own);
		return -1;
	}
	struct named *items = NULL;
	size_t count = 0, cap = 0;
	int rc = 0;
	struct dirent *d;
	errno = 0;
	while ((d = readdir(dir))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			struct named *grown = realloc(items, cap * sizeof *grown);
			if (!grown) {
				rc = -1, errno = ENOMEM;
				break;
			}
			items = grown;
		}
		if (!(items[count].name = strdup(d->d_name))) {
			rc = -1, errno = ENOMEM;
			break;
		}
		items[count].type = d->d_type;
		items[count++].inode = d->d_ino;
		errno = 0;
	}
	if (rc == 0 && errno)
		rc = -1;
	int saved = errno;
	closedir(dir);
	if (rc == 0) {
		qsort(items, count, sizeof *items, compare_named);
		list->names = malloc((count ? count : 1) * sizeof *list->names);
		list->types = malloc(count ? count : 1);
		list->inodes = malloc((count ? count : 1) * sizeof *list->inodes);
		if (!list->names || !list->types || !list->inodes)
			rc = -1, saved = ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		if (rc == 0) {
			list->names[i] = items[i].name;
			list->types[i] = items[i].type;
			list->inodes[i] = items[i].inode;
		} else {
			free(items[i].name);
		}
	}
	free(items);
	if (rc < 0) {
		free(list->names);
		free(list->types);
		free(list->inodes);
		memset(list, 0, sizeof *list);
		errno = saved;
		return -1;
	}
	list->count = count;
	return 0;
}

void dir_list_free(struct dir_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->names[i]);
	free(list->names);
	free(list->types);
	free(list->inodes);
	memset(list, 0, sizeof *list);
}
