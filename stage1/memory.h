/* Allocation that cannot fail: out of memory, stage1 dies with one line. */
#ifndef STAGE1_MEMORY_H
#define STAGE1_MEMORY_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *pointer, size_t size);
char *xstrdup(const char *text);

#endif
