#include "handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "text.h"

void open_handoff(int ends[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) < 0)
		die_errno("socketpair", NULL);
}

/* One byte, with DESCRIPTOR attached when it is not -1. */
static bool send_message(int end, char byte, int descriptor)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec data = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr message = { .msg_iov = &data, .msg_iovlen = 1 };

	if (descriptor >= 0) {
		message.msg_control = control;
		message.msg_controllen = sizeof control;
		struct cmsghdr *header = CMSG_FIRSTHDR(&message);
		header->cmsg_level = SOL_SOCKET;
		header->cmsg_type = SCM_RIGHTS;
		header->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(header), &descriptor, sizeof(int));
	}
	return sendmsg(end, &message, 0) == 1;
}

/* False when the other side went away; *DESCRIPTOR is the attached one (close-on-exec) or -1. */
static bool receive_message(int end, int *descriptor)
{
	char byte;
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec data = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr message = {
		.msg_iov = &data, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
	};
	struct cmsghdr *header;
	ssize_t got;

	do
		got = recvmsg(end, &message, MSG_CMSG_CLOEXEC);
	while (got < 0 && errno == EINTR);
	header = got == 1 ? CMSG_FIRSTHDR(&message) : NULL;
	*descriptor = -1;
	if (header != NULL && header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS)
		memcpy(descriptor, CMSG_DATA(header), sizeof(int));
	return got == 1;
}

void send_go(int end, pid_t pid1, const char *stage1_root)
{
	char cwd[PATH_MAX];

	if (getcwd(cwd, sizeof cwd) == NULL)
		die_errno("getcwd", NULL);
	char *path = format_string("/proc/%d/root%s/%s", (int)pid1, cwd, stage1_root);
	int root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		die_errno("open", path);
	if (!send_message(end, 'g', root_fd))
		die_errno("start", "pod");
	close(root_fd);
	free(path);
}

bool wait_until_ready(int end, int *terminal_fd)
{
	bool ready = receive_message(end, terminal_fd);

	close(end);
	return ready;
}

void send_ready(int end, int terminal_fd)
{
	if (!send_message(end, 'r', terminal_fd))
		die_errno("report ready", "pod");
	close(end);
}

int receive_go(int end)
{
	int root_fd;

	if (!receive_message(end, &root_fd) || root_fd < 0)
		die_message("start the pod", "the host side of stage1 went away");
	return root_fd;
}
