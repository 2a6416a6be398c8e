#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool debug_enabled = false;
static const char *current_app = NULL;
static int failure_exit_status = EXIT_SETUP_FAILED;
static void (*cleanup_before_exit)(void) = NULL;

void error_set_app(const char *app_name)
{
	current_app = app_name;
}

void error_set_exit_status(int status)
{
	failure_exit_status = status;
}

void error_set_cleanup(void (*cleanup)(void))
{
	cleanup_before_exit = cleanup;
}

static void print_failure(const char *op, const char *path, const char *reason)
{
	char line[2048];
	int length;

	if (current_app != NULL)
		length = snprintf(line, sizeof line, "stage1: %s%s%s in app \"%s\": %s\n", op, path ? " " : "",
				  path ? path : "", current_app, reason);
	else
		length = snprintf(line, sizeof line, "stage1: %s%s%s: %s\n", op, path ? " " : "", path ? path : "",
				  reason);
	if (length < 0)
		return;
	if ((size_t)length >= sizeof line)
		length = sizeof line - 1;
	/* One write, so lines of concurrent processes do not interleave. */
	if (write(STDERR_FILENO, line, (size_t)length) < 0)
		return;
}

/* The cleanup comes first, so that the line reaches a terminal in its usual mode. */
static _Noreturn void fail(const char *op, const char *path, const char *reason)
{
	if (cleanup_before_exit != NULL)
		cleanup_before_exit();
	print_failure(op, path, reason);
	_exit(failure_exit_status);
}

_Noreturn void die_errnum(const char *op, const char *path, int errnum)
{
	fail(op, path, strerror(errnum));
}

_Noreturn void die_errno(const char *op, const char *path)
{
	die_errnum(op, path, errno);
}

_Noreturn void die_message(const char *what, const char *why)
{
	fail(what, NULL, why);
}

void warn_errno(const char *op, const char *path)
{
	int saved = errno;
	char reason[512];

	snprintf(reason, sizeof reason, "%s", strerror(saved));
	print_failure(op, path, reason);
	errno = saved;
}

static void print_prefixed(const char *prefix, const char *format, va_list args)
{
	char line[2048];
	int length = snprintf(line, sizeof line, "stage1: %s", prefix);

	if (length < 0 || (size_t)length >= sizeof line)
		return;
	int rest = vsnprintf(line + length, sizeof line - (size_t)length - 1, format, args);
	if (rest < 0)
		return;
	length += rest;
	if ((size_t)length > sizeof line - 2)
		length = sizeof line - 2;
	line[length++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)length) < 0)
		return;
}

void warn_message(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	print_prefixed("warning: ", format, args);
	va_end(args);
}

void debug_message(const char *format, ...)
{
	va_list args;

	if (!debug_enabled)
		return;
	va_start(args, format);
	print_prefixed("", format, args);
	va_end(args);
}
