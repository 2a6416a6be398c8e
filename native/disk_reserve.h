/* The free space an import or a render must leave on the store's filesystem, so that a
 * crafted image (a gzip bomb) cannot fill it: writes stop with an error before free space
 * drops under the reserve. */
#ifndef RKT_DISK_RESERVE_H
#define RKT_DISK_RESERVE_H

#include <stdint.h>

#include "error.h"

/* 2% of the filesystem, at least 64 MiB and at most 1 GiB. */
#define DISK_RESERVE_PERCENT 2
#define DISK_RESERVE_MIN (64ull << 20)
#define DISK_RESERVE_MAX (1ull << 30)
/* A long write checks once per step of this many bytes, not once per write: the reserve
 * is far larger than the step. */
#define DISK_RESERVE_STEP (8ull << 20)

/* Fails (op on object) when writing `need` more bytes to the filesystem of `fd` would
 * leave less than the reserve available to unprivileged users. */
int disk_reserve_check(int fd, uint64_t need, const char *op, const char *object, struct rkt_error *err);

#endif
