#include "handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "files.h"

void open_handoff(int ends[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) < 0)
		die_errno("socketpair", NULL);
}

void send_go(int end, pid_t pid1, const char *stage1_root)
{
	char cwd[PATH_MAX];
	char byte = 'g';
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec data = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr message = { .msg_iov = &data, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
	struct cmsghdr *header = CMSG_FIRSTHDR(&message);

	if (getcwd(cwd, sizeof cwd) == NULL)
		die_errno("getcwd", NULL);
	char *path = format_string("/proc/%d/root%s/%s", (int)pid1, cwd, stage1_root);
	int root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		die_errno("open", path);
	header->cmsg_level = SOL_SOCKET;
	header->cmsg_type = SCM_RIGHTS;
	header->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(header), &root_fd, sizeof(int));
	if (sendmsg(end, &message, 0) != 1)
		die_errno("start", "pod");
	close(root_fd);
	free(path);
}

bool wait_until_ready(int end)
{
	char byte;
	ssize_t got;

	do
		got = read(end, &byte, 1);
	while (got < 0 && errno == EINTR);
	close(end);
	return got == 1;
}

void send_ready(int end)
{
	if (write(end, "r", 1) != 1)
		die_errno("report ready", "pod");
	close(end);
}

int receive_go(int end)
{
	char byte;
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec data = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr message = { .msg_iov = &data, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
	struct cmsghdr *header;
	ssize_t got;
	int root_fd;

	do
		got = recvmsg(end, &message, MSG_CMSG_CLOEXEC);
	while (got < 0 && errno == EINTR);
	header = CMSG_FIRSTHDR(&message);
	if (got != 1 || header == NULL || header->cmsg_type != SCM_RIGHTS)
		die_message("start the pod", "the host side of stage1 went away");
	memcpy(&root_fd, CMSG_DATA(header), sizeof(int));
	return root_fd;
}
