#include "json_fields.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "memory.h"
#include "text.h"

static const char *skip_whitespace(const char *cursor)
{
	while (*cursor == ' ' || *cursor == '\t' || *cursor == '\n' || *cursor == '\r')
		cursor++;
	return cursor;
}

/* CURSOR at an opening quote; returns the position after the closing one, NULL if unterminated. */
static const char *skip_string(const char *cursor)
{
	for (cursor++; *cursor != '"'; cursor++) {
		if (*cursor == '\0')
			return NULL;
		if (*cursor == '\\' && *++cursor == '\0')
			return NULL;
	}
	return cursor + 1;
}

/* Returns the position after the value at CURSOR, NULL if malformed. */
static const char *skip_value(const char *cursor)
{
	int depth = 0;

	do {
		if (*cursor == '"')
			cursor = skip_string(cursor);
		else if (*cursor == '{' || *cursor == '[') {
			depth++;
			cursor++;
		} else if (*cursor == '}' || *cursor == ']') {
			depth--;
			cursor++;
		} else if (*cursor == '\0')
			return NULL;
		else if (depth == 0) {
			/* a number, true, false or null */
			while (*cursor != '\0' && strchr(",}] \t\r\n", *cursor) == NULL)
				cursor++;
			return cursor;
		} else
			cursor++;
		if (cursor == NULL || depth < 0)
			return NULL;
	} while (depth > 0);
	return cursor;
}

/* Decodes the string at CURSOR (escapes of ASCII characters only) and moves past it. */
static char *read_string(const char **cursor)
{
	const char *end = skip_string(*cursor);
	char *value, *out;

	if (end == NULL)
		return NULL;
	value = out = xmalloc((size_t)(end - *cursor));
	for (const char *in = *cursor + 1; in < end - 1; in++) {
		if (*in != '\\') {
			*out++ = *in;
			continue;
		}
		switch (*++in) {
		case 'n':
			*out++ = '\n';
			break;
		case 't':
			*out++ = '\t';
			break;
		case 'r':
			*out++ = '\r';
			break;
		case 'b':
			*out++ = '\b';
			break;
		case 'f':
			*out++ = '\f';
			break;
		case 'u': {
			char hex[5] = { 0 };
			if (end - 1 - in < 5)
				goto malformed;
			memcpy(hex, in + 1, 4);
			long code = strtol(hex, NULL, 16);
			if (code <= 0 || code > 0x7f)
				goto malformed;
			*out++ = (char)code;
			in += 4;
			break;
		}
		default:
			*out++ = *in;
			break; /* \" \\ \/ */
		}
	}
	*out = '\0';
	*cursor = end;
	return value;
malformed:
	free(value);
	return NULL;
}

char **json_array_elements(const char *text)
{
	const char *cursor = skip_whitespace(text);
	char **elements = xcalloc(1, sizeof *elements);
	size_t count = 0;

	if (*cursor++ != '[')
		return NULL;
	for (cursor = skip_whitespace(cursor); *cursor != ']';) {
		const char *end = skip_value(cursor);
		if (end == NULL)
			return NULL;
		elements = xrealloc(elements, (count + 2) * sizeof *elements);
		elements[count++] = format_string("%.*s", (int)(end - cursor), cursor);
		elements[count] = NULL;
		cursor = skip_whitespace(end);
		if (*cursor == ',')
			cursor = skip_whitespace(cursor + 1);
		else if (*cursor != ']')
			return NULL;
	}
	return elements;
}

char *json_string_member(const char *text, const char *name)
{
	const char *cursor = skip_whitespace(text);

	if (*cursor++ != '{')
		return NULL;
	for (cursor = skip_whitespace(cursor); *cursor == '"';) {
		char *key = read_string(&cursor);
		if (key == NULL)
			return NULL;
		bool wanted = strcmp(key, name) == 0;
		free(key);
		cursor = skip_whitespace(cursor);
		if (*cursor++ != ':')
			return NULL;
		cursor = skip_whitespace(cursor);
		if (wanted)
			return *cursor == '"' ? read_string(&cursor) : NULL;
		cursor = skip_value(cursor);
		if (cursor == NULL)
			return NULL;
		cursor = skip_whitespace(cursor);
		if (*cursor == ',')
			cursor = skip_whitespace(cursor + 1);
	}
	return NULL;
}
