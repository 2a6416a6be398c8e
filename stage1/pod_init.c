#include "pod_init.h"

#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_fs.h"
#include "capabilities.h"
#include "dev.h"
#include "error.h"
#include "handoff.h"
#include "journal_namespace.h"
#include "launch.h"
#include "masked_paths.h"
#include "namespaces.h"
#include "pod_terminal.h"
#include "rootfs.h"
#include "sockets.h"
#include "supervisor.h"

#define CAPABILITY(name) (1ULL << (name))

/* What PID 1 uses itself to start processes (bounding set, chroot, identity, path lookups
 * as the app's user) and to stop them; CAP_SYS_ADMIN only to install a seccomp filter in a
 * process without no_new_privs. */
static uint64_t supervisor_capabilities(const struct pod *pod)
{
	uint64_t used = CAPABILITY(CAP_KILL) | CAPABILITY(CAP_SETPCAP) | CAPABILITY(CAP_SYS_CHROOT) |
			CAPABILITY(CAP_SETUID) | CAPABILITY(CAP_SETGID) | CAPABILITY(CAP_DAC_OVERRIDE) |
			CAPABILITY(CAP_DAC_READ_SEARCH);

	for (size_t i = 0; i < pod->app_count; i++)
		if (pod->apps[i].seccomp && !pod->apps[i].no_new_privileges)
			used |= CAPABILITY(CAP_SYS_ADMIN);
	return used;
}

/* PID 1 uses only its own capabilities; it holds the apps' in its permitted set, which is
 * all that an exec under no_new_privs can give them, and nothing else even in its bounding
 * set, so that code run as PID 1 could not regain more by an exec. */
static void drop_unused_capabilities(const struct pod *pod)
{
	uint64_t used = supervisor_capabilities(pod), held = used;

	for (size_t i = 0; i < pod->app_count; i++)
		held |= pod->apps[i].kept_capabilities;
	restrict_capabilities(held);
	limit_capabilities(held, used);
}

_Noreturn void run_pod_init(struct pod *pod, bool interactive, bool user_namespace, int handoff_fd)
{
	int stage1_root_fd = receive_go(handoff_fd);
	struct app_stdio stdio = { .kind = !interactive           ? STDIO_OUTPUT_PIPES
					   : isatty(STDIN_FILENO) ? STDIO_POD_TERMINAL
								  : STDIO_INHERITED };
	struct pod_terminal terminal = { .master_fd = -1, .slave_fd = -1 };

	if (user_namespace)
		become_user_namespace_root();
	/* No app may ptrace PID 1 or read its memory, whatever capabilities it keeps. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die_errno("prctl PR_SET_DUMPABLE", NULL);
	/* If the host side dies, stop the pod the orderly way. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0)
		die_errno("prctl PR_SET_PDEATHSIG", NULL);
	/* Modes of the directories made below are exact; apps get 022 back. */
	umask(0);
	make_mounts_private_to_pod();
	set_pod_hostname(pod->uuid);
	if (fchdir(stage1_root_fd) < 0)
		die_errno("chdir", STAGE1_ROOT);
	close(stage1_root_fd);
	/* From here on, paths are relative to the stage1 rootfs. */
	make_pod_root_mount();
	mount_pod_root_filesystems(".");
	expose_journal_namespace(".");
	mask_kernel_interfaces(".");
	mount_pod_dev(".");
	if (stdio.kind == STDIO_POD_TERMINAL)
		open_pod_terminal(".", &terminal);
	mount_empty_volumes(pod, ".");
	for (size_t i = 0; i < pod->app_count; i++)
		mount_app_filesystem(&pod->apps[i], ".");
	pivot_into_pod_root();
	for (size_t i = 0; i < pod->app_count; i++)
		open_app_sockets(&pod->apps[i]);
	send_ready(handoff_fd, terminal.master_fd);
	if (terminal.master_fd >= 0)
		close(terminal.master_fd);
	stdio.terminal_fd = terminal.slave_fd;
	drop_unused_capabilities(pod);
	exit(supervise_pod(pod, &stdio));
}
