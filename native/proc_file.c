/* Whole /proc files: their size is unknown until read (stat says 0), so the buffer grows. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "proc_file.h"

#define PROC_FILE_MAX (64 << 20)

char *proc_file_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 64 << 10, used = 0;
	char *text = malloc(cap);
	while (text) {
		if (cap - used < 2) {
			char *grown = cap >= PROC_FILE_MAX ? NULL : realloc(text, cap * 2);
			if (!grown) {
				free(text);
				text = NULL;
				break;
			}
			text = grown, cap *= 2;
		}
		ssize_t n = read(fd, text + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(text);
			text = NULL;
		} else if (n == 0) {
			text[used] = '\0';
			break;
		} else {
			used += (size_t)n;
		}
	}
	close(fd);
	return text;
}
