#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "files.h"
#include "text.h"

void join_network_namespace_if_present(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return;
		die_errno("open", path);
	}
	if (setns(fd, CLONE_NEWNET) < 0)
		die_errno("join network namespace", path);
	close(fd);
	debug_message("joined the network namespace %s", path);
}

pid_t clone_into_new_namespaces(bool user_namespace)
{
	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
	pid_t pid;

	/* With CLONE_NEWUSER in the same call, the other namespaces belong to the new user
	 * namespace, so the pod's root may mount its /proc. The raw syscall works like fork(). */
	if (user_namespace)
		flags |= CLONE_NEWUSER;
	pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid < 0)
		die_errno("clone", "pod namespaces");
	return pid;
}

void write_id_maps(pid_t child, const struct id_shift *ids)
{
	char *map = format_string("0 %lu %lu\n", ids->shift, ids->count);

	write_file(format_string("/proc/%d/uid_map", (int)child), map, 0644);
	write_file(format_string("/proc/%d/gid_map", (int)child), map, 0644);
	free(map);
}

void become_user_namespace_root(void)
{
	/* Until now this process kept the host IDs it was cloned with, unmapped in here. */
	if (setgroups(0, NULL) < 0)
		die_errno("setgroups", "user namespace");
	if (setresgid(0, 0, 0) < 0)
		die_errno("setresgid", "user namespace");
	if (setresuid(0, 0, 0) < 0)
		die_errno("setresuid", "user namespace");
}

void set_pod_hostname(const char *uuid)
{
	char *hostname = format_string("rkt-%s", uuid);

	if (sethostname(hostname, strlen(hostname)) < 0)
		die_errno("sethostname", hostname);
	free(hostname);
}
