/* One error object carried through every native call: the failing operation, the object it
 * acted on, and either an errno (code > 0) or a detail sentence for format errors (code 0). */
#ifndef RKT_ERROR_H
#define RKT_ERROR_H

#include <stdint.h>

#define RKT_ERROR_OP_MAX 256
#define RKT_ERROR_PATH_MAX 4096
#define RKT_ERROR_DETAIL_MAX 512

/* Layout shared with src/sys/native.ts: keep the field order and sizes in step. */
struct rkt_error {
	int32_t code;
	int32_t failed;
	char op[RKT_ERROR_OP_MAX];
	char path[RKT_ERROR_PATH_MAX];
	char detail[RKT_ERROR_DETAIL_MAX];
};

/* Records a failed system call; always returns -1 so callers can `return rkt_fail_sys(...)`. */
int rkt_fail_sys(struct rkt_error *err, const char *op, const char *path, int errnum);

/* Records a problem that is not an errno (bad archive, unsafe name, ...); returns -1. */
int rkt_fail(struct rkt_error *err, const char *op, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
