/* Reading the stage0/stage1 contract files: NUL-terminated fields, a fixed count per record
 * (README.md, "Encoding of the files under rkt/"). */
#ifndef STAGE1_CONTRACT_FILES_H
#define STAGE1_CONTRACT_FILES_H

#include <stddef.h>

/* Longest field of each kind in a contract file (README.md, "Encoding"): names and decimals,
 * paths (PATH_MAX with its NUL), argv and environment entries (the kernel's MAX_ARG_STRLEN). */
#define CONTRACT_NAME_MAX 255
#define CONTRACT_PATH_MAX 4095
#define CONTRACT_STRING_MAX 131071

/* Prints "stage1: parse PATH: WHY" and exits (a contract file stage1 refuses). */
_Noreturn void die_malformed(const char *path, const char *why);
/* A contract file: NUL-terminated fields, FIELDS_PER_RECORD per record, none longer than
 * MAX_FIELD_LENGTH bytes -> {"a", "b", ..., NULL} and the number of records. NULL when the
 * file is absent; dies with one line on a missing terminator, an over-long field or an
 * incomplete record. */
char **read_records(const char *path, size_t fields_per_record, size_t max_field_length, size_t *record_count);

#endif
