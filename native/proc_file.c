/* Whole /proc files: their size is unknown until read (stat says 0), so the buffer grows. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "proc_file.h"

#define PROC_FILE_MAX (64 << 20)
/* More than a seq_file gives in one read (a page, unless one line is longer). */
#define SNAPSHOT_MAX (64 << 10)

static ssize_t read_retrying(int fd, char *buf, size_t len)
{
	ssize_t n;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

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
		ssize_t n = read_retrying(fd, text + used, cap - used - 1);
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

char *proc_file_read_snapshot(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *text = malloc(SNAPSHOT_MAX);
	ssize_t first = -1, rest = -1;
	if (text) {
		first = read_retrying(fd, text, SNAPSHOT_MAX - 1);
		if (first >= 0 && first < SNAPSHOT_MAX - 1)
			rest = read_retrying(fd, text + first, (size_t)(SNAPSHOT_MAX - 1 - first));
	}
	close(fd);
	if (rest != 0) {
		free(text);
		return NULL;
	}
	text[first] = '\0';
	return text;
}
