#include "app_output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "error.h"
#include "files.h"
#include "journal.h"
#include "memory.h"

static void open_stream(struct output_stream *stream, int destination_fd, int journal_priority)
{
	int ends[2];

	if (pipe2(ends, O_CLOEXEC) < 0)
		die_errno("pipe", NULL);
	if (fcntl(ends[0], F_SETFL, O_NONBLOCK) < 0)
		die_errno("fcntl", "output pipe");
	stream->read_fd = ends[0];
	stream->write_fd = ends[1];
	/* Under a service whose output is the journal, the journal entries are that output. */
	stream->destination_fd = journal_connected() && is_journal_stream(destination_fd) ? -1 : destination_fd;
	stream->at_line_start = true;
	stream->journal_priority = journal_priority;
	stream->journal_line = journal_connected() ? xmalloc(JOURNAL_LINE_MAX) : NULL;
	stream->journal_line_length = 0;
}

void open_app_output(struct app_output *output, const char *app_name, const char *prefix, int log_fd)
{
	open_stream(&output->out, STDOUT_FILENO, LOG_INFO);
	open_stream(&output->err, STDERR_FILENO, LOG_ERR);
	output->app_name = app_name;
	output->prefix = prefix;
	output->log_fd = log_fd;
}

/* A reader that went away must not stop the pod: output then only goes to the log. */
static void pass_on(int fd, const char *bytes, size_t length)
{
	if (fd >= 0 && !write_all(fd, bytes, length))
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

static void send_journal_line(struct app_output *output, struct output_stream *stream)
{
	send_journal_entry(output->app_name, stream->journal_priority, stream->journal_line,
			   stream->journal_line_length);
	stream->journal_line_length = 0;
}

/* One entry per line, without its newline; a line longer than JOURNAL_LINE_MAX is split. */
static void pass_on_to_journal(struct app_output *output, struct output_stream *stream, const char *bytes,
			       size_t length)
{
	for (size_t i = 0; i < length; i++) {
		if (bytes[i] == '\n') {
			send_journal_line(output, stream);
			continue;
		}
		stream->journal_line[stream->journal_line_length++] = bytes[i];
		if (stream->journal_line_length == JOURNAL_LINE_MAX)
			send_journal_line(output, stream);
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
	if (stream->journal_line != NULL)
		pass_on_to_journal(output, stream, buffer, (size_t)got);
	if (output->prefix != NULL)
		pass_on_prefixed(output, stream, buffer, (size_t)got);
	else
		pass_on(stream->destination_fd, buffer, (size_t)got);
	return true;
}

static void drain_stream(struct app_output *output, struct output_stream *stream)
{
	while (pump_output(output, stream))
		;
	if (stream->journal_line != NULL && stream->journal_line_length > 0)
		send_journal_line(output, stream);
}

void drain_app_output(struct app_output *output)
{
	drain_stream(output, &output->out);
	drain_stream(output, &output->err);
}
