#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

void *xmalloc(size_t size)
{
	void *pointer = malloc(size ? size : 1);

	if (pointer == NULL)
		die_errno("malloc", NULL);
	return pointer;
}

void *xcalloc(size_t count, size_t size)
{
	void *pointer = calloc(count ? count : 1, size ? size : 1);

	if (pointer == NULL)
		die_errno("calloc", NULL);
	return pointer;
}

void *xrealloc(void *pointer, size_t size)
{
	void *grown = realloc(pointer, size ? size : 1);

	if (grown == NULL)
		die_errno("realloc", NULL);
	return grown;
}

char *xstrdup(const char *text)
{
	char *copy = strdup(text);

	if (copy == NULL)
		die_errno("strdup", NULL);
	return copy;
}

char *format_string(const char *format, ...)
{
	va_list args;
	char *text;

	va_start(args, format);
	if (vasprintf(&text, format, args) < 0)
		die_errno("vasprintf", NULL);
	va_end(args);
	return text;
}

bool parse_decimal(const char *text, unsigned long long *value)
{
	char *end;

	if (text == NULL || *text < '0' || *text > '9')
		return false;
	errno = 0;
	*value = strtoull(text, &end, 10);
	return errno == 0 && *end == '\0';
}

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

static void append_string(char ***list, size_t *count, char *item)
{
	*list = xrealloc(*list, (*count + 2) * sizeof **list);
	(*list)[(*count)++] = item;
	(*list)[*count] = NULL;
}

_Noreturn void die_malformed(const char *path, const char *why)
{
	die_message(format_string("parse %s", path), why);
}

char **read_records(const char *path, size_t fields_per_record, size_t max_field_length, size_t *record_count)
{
	size_t length;
	char *content = read_file_or_null(path, &length);
	char **fields = NULL;
	size_t count = 0;

	if (content == NULL)
		return NULL;
	if (length > 0 && content[length - 1] != '\0')
		die_malformed(path, "the last field has no NUL terminator");
	fields = xcalloc(1, sizeof *fields);
	for (size_t start = 0; start < length;) {
		size_t field_length = strlen(content + start);
		if (field_length > max_field_length)
			die_malformed(path, format_string("field %zu is %zu bytes long, at most %zu are allowed",
								   count + 1, field_length, max_field_length));
		append_string(&fields, &count, content + start);
		start += field_length + 1;
	}
	if (count % fields_per_record != 0)
		die_malformed(path, format_string("%zu fields do not make records of %zu fields", count,
							   fields_per_record));
	if (record_count != NULL)
		*record_count = count / fields_per_record;
	return fields;
}

bool has_control_character(const char *text)
{
	for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++)
		if (*c < 0x20 || *c == 0x7f)
			return true;
	return false;
}

char **split_lines(char *text)
{
	char **lines = xcalloc(1, sizeof *lines);
	size_t count = 0;

	for (char *line = text; line != NULL && *line != '\0';) {
		char *newline = strchr(line, '\n');
		if (newline != NULL)
			*newline = '\0';
		if (*line != '\0')
			append_string(&lines, &count, line);
		line = newline ? newline + 1 : NULL;
	}
	return lines;
}

char **read_lines(const char *path)
{
	char *content = read_file_or_null(path, NULL);

	return content == NULL ? NULL : split_lines(content);
}

char **split_words(char *line)
{
	char **words = xcalloc(1, sizeof *words);
	size_t count = 0;
	char *saveptr = NULL;

	for (char *word = strtok_r(line, " \t", &saveptr); word != NULL; word = strtok_r(NULL, " \t", &saveptr))
		append_string(&words, &count, word);
	return words;
}

size_t count_strings(char *const *list)
{
	size_t count = 0;

	while (list != NULL && list[count] != NULL)
		count++;
	return count;
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
