/* The capabilities of an app's processes and of the pod's PID 1. */
#ifndef STAGE1_CAPABILITIES_H
#define STAGE1_CAPABILITIES_H

#include <stdint.h>

/* Drops every capability not in KEPT (bit N = capability N) from the bounding set, and
 * clears the ambient set, so nothing outside KEPT can be regained across exec. */
void restrict_capabilities(uint64_t kept);
/* Keeps at most PERMITTED in the permitted set and EFFECTIVE in the effective one (a
 * process that left root has none left anyway) and empties the inheritable set. Under
 * no_new_privs, exec never gives more than the permitted set held before it. */
void limit_capabilities(uint64_t permitted, uint64_t effective);

#endif
