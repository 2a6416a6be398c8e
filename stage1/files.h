/* Reading and writing the small runtime files of the stage0/stage1 contract. */
#ifndef STAGE1_FILES_H
#define STAGE1_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Whole file into a NUL-terminated buffer; NULL with errno ENOENT when absent, dies otherwise. */
char *read_file_or_null(const char *path, size_t *length);
/* Longest field of each kind in a contract file (README.md, "Encoding"): names and decimals,
 * paths (PATH_MAX with its NUL), argv and environment entries (the kernel's MAX_ARG_STRLEN). */
#define CONTRACT_NAME_MAX 255
#define CONTRACT_PATH_MAX 4095
#define CONTRACT_STRING_MAX 131071

/* A contract file: NUL-terminated fields, FIELDS_PER_RECORD per record, none longer than
 * MAX_FIELD_LENGTH bytes -> {"a", "b", ..., NULL} and the number of records. NULL when the
 * file is absent; dies with one line on a missing terminator, an over-long field or an
 * incomplete record. */
char **read_records(const char *path, size_t fields_per_record, size_t max_field_length, size_t *record_count);
/* Prints "stage1: parse PATH: WHY" and exits (a contract file stage1 refuses). */
_Noreturn void die_malformed(const char *path, const char *why);
/* Whether TEXT holds a C0 control character or DEL. */
bool has_control_character(const char *text);
/* The lines of a text file (without newlines, empty ones skipped); NULL when absent. */
char **read_lines(const char *path);
/* The non-empty lines of TEXT (changed in place). */
char **split_lines(char *text);
/* Splits a line at spaces and tabs into a NULL-terminated array. */
char **split_words(char *line);
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
