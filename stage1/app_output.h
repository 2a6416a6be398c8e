/* App output: pipes from each app's stdout/stderr to the pod's PID 1, which passes the bytes
 * on to its own stdout/stderr (prefixed "<app>: " per line when the pod has several apps)
 * and appends them to the app's log file. */
#ifndef STAGE1_APP_OUTPUT_H
#define STAGE1_APP_OUTPUT_H

#include <stdbool.h>

struct output_stream {
	int read_fd; /* PID 1's end, non-blocking */
	int write_fd; /* the apps' end, dup'ed onto their stdout or stderr */
	int destination_fd; /* STDOUT_FILENO or STDERR_FILENO of PID 1 */
	bool at_line_start;
};

struct app_output {
	struct output_stream out;
	struct output_stream err;
	const char *prefix; /* "<app>: " or NULL */
	int log_fd;
};

void open_app_output(struct app_output *output, const char *prefix, int log_fd);
/* Moves what STREAM holds now; false once nothing more is available. */
bool pump_output(struct app_output *output, struct output_stream *stream);
/* Moves everything still buffered in both pipes. */
void drain_app_output(struct app_output *output);

#endif
