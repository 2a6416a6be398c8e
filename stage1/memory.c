#include "memory.h"

#include <stdlib.h>
#include <string.h>

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
