/* App output: pipes from each app's stdout/stderr to the pod's PID 1, which passes the bytes
 * on to its own stdout/stderr (prefixed "<app>: " per line when the pod has several apps),
 * appends them to the app's log file and, when the host has a journal, sends each line to it
 * as an entry of the app (stderr lines with a higher priority); when stage1's stdout or stderr
 * is itself a journal stream (a service's), those lines are not passed on there again. */
#ifndef STAGE1_APP_OUTPUT_H
#define STAGE1_APP_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

struct output_stream {
	int read_fd; /* PID 1's end, non-blocking */
	int write_fd; /* the apps' end, dup'ed onto their stdout or stderr */
	int destination_fd; /* STDOUT_FILENO or STDERR_FILENO of PID 1; -1: the journal has it */
	bool at_line_start;
	int journal_priority;
	char *journal_line; /* the line being collected for the journal; NULL without a journal */
	size_t journal_line_length;
};

struct app_output {
	struct output_stream out;
	struct output_stream err;
	const char *app_name; /* the journal entries' identifier */
	const char *prefix; /* "<app>: " or NULL */
	int log_fd;
};

void open_app_output(struct app_output *output, const char *app_name, const char *prefix, int log_fd);
/* Moves what STREAM holds now; false once nothing more is available. */
bool pump_output(struct app_output *output, struct output_stream *stream);
/* Moves everything still buffered in both pipes, and a last line without newline. */
void drain_app_output(struct app_output *output);

#endif
