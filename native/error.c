#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void set_names(struct rkt_error *err, const char *op, const char *path)
{
	err->failed = 1;
	snprintf(err->op, sizeof err->op, "%s", op);
	snprintf(err->path, sizeof err->path, "%s", path ? path : "");
}

int rkt_fail_sys(struct rkt_error *err, const char *op, const char *path, int errnum)
{
	/* The first failure is the cause; later ones (cleanup) must not overwrite it. */
	if (err->failed)
		return -1;
	set_names(err, op, path);
	err->code = errnum;
	err->detail[0] = '\0';
	return -1;
}

int rkt_fail(struct rkt_error *err, const char *op, const char *path, const char *fmt, ...)
{
	if (err->failed)
		return -1;
	set_names(err, op, path);
	err->code = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof err->detail, fmt, ap);
	va_end(ap);
	return -1;
}
