/* Just enough JSON for gc: the elements of an array (net-info.json) and the string members
 * of an object (its entries, CNI network configs). Malformed input gives NULL, never a read
 * past the end. */
#ifndef STAGE1_JSON_FIELDS_H
#define STAGE1_JSON_FIELDS_H

/* The text of each element of the JSON array TEXT, NULL-terminated; NULL if not an array. */
char **json_array_elements(const char *text);
/* The decoded string value of member NAME of the JSON object TEXT; NULL when absent or not a
 * string. */
char *json_string_member(const char *text, const char *name);

#endif
