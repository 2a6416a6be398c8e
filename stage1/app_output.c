#include "app_output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "files.h"

static void open_stream(struct output_stream *stream, int destination_fd)
{
	int ends[2];

	if (pipe2(ends, O_CLOEXEC) < 0)
		die_errno("pipe", NULL);
	if (fcntl(ends[0], F_SETFL, O_NONBLOCK) < 0)
		die_errno("fcntl", "output pipe");
	stream->read_fd = ends[0];
	stream->write_fd = ends[1];
	stream->destination_fd = destination_fd;
	stream->at_line_start = true;
}

void open_app_output(struct app_output *output, const char *prefix, int log_fd)
{
	open_stream(&output->out, STDOUT_FILENO);
	open_stream(&output->err, STDERR_FILENO);
	output->prefix = prefix;
	output->log_fd = log_fd;
}

/* A reader that went away must not stop the pod: output then only goes to the log. */
static void pass_on(int fd, const char *bytes, size_t length)
{
	if (!write_all(fd, bytes, length))
		debug_message("output lost: %s", strerror(errno));
}

static void pass_on_prefixed(struct app_output *output, struct output_stream *stream, const char *bytes, size_t length)
{
	while (length > 0) {
		const char *newline = memchr(bytes, '\n', length);
		size_t line_length = newline != NULL ? (size_t)(newline - bytes) + 1 : length;

		if (stream->at_line_start)
			pass_on(stream->destination_fd, output->prefix, strlen(output->prefix));
		pass_on(stream->destination_fd, bytes, line_length);
		stream->at_line_start = newline != NULL;
		bytes += line_length;
		length -= line_length;
	}
}

bool pump_output(struct app_output *output, struct output_stream *stream)
{
	char buffer[65536];
	ssize_t got = read(stream->read_fd, buffer, sizeof buffer);

	if (got < 0 && errno == EINTR)
		return true;
	if (got <= 0)
		return false;
	if (output->log_fd >= 0 && !write_all(output->log_fd, buffer, (size_t)got))
		warn_errno("write", "app log");
	if (output->prefix != NULL)
		pass_on_prefixed(output, stream, buffer, (size_t)got);
	else
		pass_on(stream->destination_fd, buffer, (size_t)got);
	return true;
}

void drain_app_output(struct app_output *output)
{
	while (pump_output(output, &output->out))
		;
	while (pump_output(output, &output->err))
		;
}
