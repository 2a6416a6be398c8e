/* Reading and writing the small runtime files of the stage0/stage1 contract. */
#ifndef STAGE1_FILES_H
#define STAGE1_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Whole file into a NUL-terminated buffer; NULL with errno ENOENT when absent, dies otherwise. */
char *read_file_or_null(const char *path, size_t *length);
/* "a\0b\0" -> {"a", "b", NULL}; NULL when the file is absent. */
char **read_nul_list(const char *path);
/* The lines of a text file (without newlines, empty ones skipped); NULL when absent. */
char **read_lines(const char *path);
/* Splits a line at spaces and tabs into a NULL-terminated array. */
char **split_words(char *line);
/* Splits a line at a single separator character (fields may be empty). */
char **split_fields(char *line, char separator);
size_t count_strings(char *const *list);

/* Writes CONTENT to PATH through a temporary file and rename, so readers never see half. */
void write_file_atomically(const char *path, const char *content, mode_t mode);
void write_file(const char *path, const char *content, mode_t mode);
/* Writes all of BUFFER to FD, retrying short writes; false on error (errno set). */
bool write_all(int fd, const void *buffer, size_t length);
/* mkdir -p. */
void make_directories(const char *path, mode_t mode);
bool path_exists(const char *path);

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *pointer, size_t size);
char *xstrdup(const char *text);
/* Allocating sprintf. */
char *format_string(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Strictly parses a non-negative decimal number. */
bool parse_decimal(const char *text, unsigned long long *value);

#endif
