/* Mapping a fresh heap buffer's pages in one call instead of one page fault each. */
#ifndef RKT_PREFAULT_H
#define RKT_PREFAULT_H

#include <stddef.h>

/* Maps the whole pages of `len` bytes at `p` for writing now (madvise MADV_POPULATE_WRITE,
 * Linux 5.14+; elsewhere nothing happens and the pages fault in as they are touched). */
void prefault(void *p, size_t len);

#endif
