#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "memory.h"
#include "text.h"

char *read_file_or_null(const char *path, size_t *length)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t used = 0, capacity = 4096;
	char *buffer;

	if (fd < 0) {
		if (errno == ENOENT)
			return NULL;
		die_errno("open", path);
	}
	buffer = xmalloc(capacity);
	for (;;) {
		if (used + 1 >= capacity) {
			capacity *= 2;
			buffer = xrealloc(buffer, capacity);
		}
		ssize_t got = read(fd, buffer + used, capacity - used - 1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			die_errno("read", path);
		}
		if (got == 0)
			break;
		used += (size_t)got;
	}
	close(fd);
	buffer[used] = '\0';
	if (length != NULL)
		*length = used;
	return buffer;
}

char **read_lines(const char *path)
{
	char *content = read_file_or_null(path, NULL);

	return content == NULL ? NULL : split_lines(content);
}

bool write_all(int fd, const void *buffer, size_t length)
{
	const char *cursor = buffer;

	while (length > 0) {
		ssize_t written = write(fd, cursor, length);
		if (written < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		cursor += written;
		length -= (size_t)written;
	}
	return true;
}

void write_file(const char *path, const char *content, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		die_errno("open", path);
	if (!write_all(fd, content, strlen(content)))
		die_errno("write", path);
	if (close(fd) < 0)
		die_errno("close", path);
}

void write_file_atomically(const char *path, const char *content, mode_t mode)
{
	char *temporary = format_string("%s.tmp", path);

	write_file(temporary, content, mode);
	if (rename(temporary, path) < 0)
		die_errno("rename", temporary);
	free(temporary);
}

void make_directories(const char *path, mode_t mode)
{
	char *copy = xstrdup(path);

	for (char *slash = strchr(copy + 1, '/');; slash = strchr(slash + 1, '/')) {
		if (slash != NULL)
			*slash = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			die_errno("mkdir", copy);
		if (slash == NULL)
			break;
		*slash = '/';
	}
	free(copy);
}

bool path_exists(const char *path)
{
	struct stat info;

	return lstat(path, &info) == 0;
}
