#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "memory.h"

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

bool has_control_character(const char *text)
{
	for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++)
		if (*c < 0x20 || *c == 0x7f)
			return true;
	return false;
}

void append_string(char ***list, size_t *count, char *item)
{
	*list = xrealloc(*list, (*count + 2) * sizeof **list);
	(*list)[(*count)++] = item;
	(*list)[*count] = NULL;
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
