/* One way to report failures: "stage1: <operation> <object>: <reason>" on stderr. */
#ifndef STAGE1_ERROR_H
#define STAGE1_ERROR_H

#include <stdbool.h>

/* Exit status of stage1 for its own setup failures (the contract's 254). */
#define EXIT_SETUP_FAILED 254

extern bool debug_enabled;

/* Names the app a process works for, so that its messages say `in app "x"`. */
void error_set_app(const char *app_name);
/* Exit status used by die_*(); app launchers use their own (e.g. 127 for exec). */
void error_set_exit_status(int status);
/* CLEANUP runs before die_*() exits (e.g. to give the terminal its mode back); NULL: none. */
void error_set_cleanup(void (*cleanup)(void));

/* Prints "stage1: OP PATH: strerror(errno)" and exits. PATH may be NULL. */
_Noreturn void die_errno(const char *op, const char *path);
/* Same, with an explicit errno value. */
_Noreturn void die_errnum(const char *op, const char *path, int errnum);
/* Prints "stage1: WHAT: WHY" and exits. */
_Noreturn void die_message(const char *what, const char *why);
void warn_errno(const char *op, const char *path);
void warn_message(const char *format, ...) __attribute__((format(printf, 1, 2)));
void debug_message(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
