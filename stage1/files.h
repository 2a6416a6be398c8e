/* Whole small files: read, written atomically; directories. */
#ifndef STAGE1_FILES_H
#define STAGE1_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Whole file into a NUL-terminated buffer; NULL with errno ENOENT when absent, dies otherwise. */
char *read_file_or_null(const char *path, size_t *length);
/* The lines of a text file (without newlines, empty ones skipped); NULL when absent. */
char **read_lines(const char *path);
/* Writes all of BUFFER to FD, retrying short writes; false on error (errno set). */
bool write_all(int fd, const void *buffer, size_t length);
void write_file(const char *path, const char *content, mode_t mode);
/* Writes CONTENT to PATH through a temporary file and rename, so readers never see half. */
void write_file_atomically(const char *path, const char *content, mode_t mode);
/* mkdir -p. */
void make_directories(const char *path, mode_t mode);
bool path_exists(const char *path);

#endif
