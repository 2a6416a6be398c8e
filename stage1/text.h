/* Strings and NULL-terminated lists of strings. */
#ifndef STAGE1_TEXT_H
#define STAGE1_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Allocating sprintf. */
char *format_string(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Strictly parses a non-negative decimal number. */
bool parse_decimal(const char *text, unsigned long long *value);
/* Whether TEXT holds a C0 control character or DEL. */
bool has_control_character(const char *text);
/* Appends ITEM to the NULL-terminated *LIST of *COUNT strings, growing it. */
void append_string(char ***list, size_t *count, char *item);
/* The non-empty lines of TEXT (changed in place). */
char **split_lines(char *text);
/* Splits a line at spaces and tabs into a NULL-terminated array. */
char **split_words(char *line);
size_t count_strings(char *const *list);

#endif
