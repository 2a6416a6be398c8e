#include "journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "error.h"
#include "journal_namespace.h"
#include "text.h"
#include "unix_socket.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static int journal_fd = -1;
static char *container_name_field;

void connect_journal(const char *machine_name)
{
	char *namespace_socket = start_journal_namespace(machine_name);

	if (namespace_socket != NULL)
		journal_fd = connect_unix_socket(namespace_socket, SOCK_DGRAM, "no journal");
	if (journal_fd < 0)
		journal_fd = connect_unix_socket(JOURNAL_SOCKET, SOCK_DGRAM, "no journal");
	free(namespace_socket);
	if (journal_fd < 0)
		return;
	container_name_field = format_string("\nCONTAINER_NAME=%s\n", machine_name);
}

bool journal_connected(void)
{
	return journal_fd >= 0;
}

bool is_journal_stream(int fd)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long device, inode;
	struct stat status;

	if (stream == NULL || sscanf(stream, "%llu:%llu", &device, &inode) != 2 || fstat(fd, &status) < 0)
		return false;
	return status.st_dev == device && status.st_ino == inode;
}

/* An entry that journald cannot take (stopped, overloaded) is lost to the journal only: the
 * app's log file and stage1's output still have it. */
void send_journal_entry(const char *identifier, int priority, const char *message, size_t length)
{
	char priority_field[32];
	struct iovec fields[] = {
		{ .iov_base = "MESSAGE=", .iov_len = strlen("MESSAGE=") },
		{ .iov_base = (void *)message, .iov_len = length },
		{ .iov_base = "\nSYSLOG_IDENTIFIER=", .iov_len = strlen("\nSYSLOG_IDENTIFIER=") },
		{ .iov_base = (void *)identifier, .iov_len = strlen(identifier) },
		{ .iov_base = container_name_field, .iov_len = strlen(container_name_field) },
		{ .iov_base = priority_field, .iov_len = 0 },
	};
	struct msghdr datagram = { .msg_iov = fields, .msg_iovlen = sizeof fields / sizeof fields[0] };

	if (journal_fd < 0)
		return;
	fields[5].iov_len = (size_t)snprintf(priority_field, sizeof priority_field, "PRIORITY=%d\n", priority);
	while (sendmsg(journal_fd, &datagram, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR) {
			debug_message("journal entry lost: %s", strerror(errno));
			return;
		}
	}
}
