/* The capability bounding set of an app's processes. */
#ifndef STAGE1_CAPABILITIES_H
#define STAGE1_CAPABILITIES_H

#include <stdint.h>

/* Drops every capability not in KEPT (bit N = capability N) from the bounding set, and
 * clears the ambient set, so nothing outside KEPT can be regained across exec. */
void restrict_capabilities(uint64_t kept);

#endif
