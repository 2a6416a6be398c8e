#include "contract_files.h"

#include <errno.h>
#include <string.h>

#include "error.h"
#include "files.h"
#include "memory.h"
#include "text.h"

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
		die_malformed(path,
			      format_string("%zu fields do not make records of %zu fields", count, fields_per_record));
	if (record_count != NULL)
		*record_count = count / fields_per_record;
	return fields;
}
