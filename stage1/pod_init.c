#include "pod_init.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_fs.h"
#include "dev.h"
#include "error.h"
#include "namespaces.h"
#include "rootfs.h"
#include "sockets.h"
#include "supervisor.h"

static void wait_for_go(int go_fd)
{
	char byte;
	ssize_t got;

	do
		got = read(go_fd, &byte, 1);
	while (got < 0 && errno == EINTR);
	if (got != 1)
		die_message("start the pod", "the host side of stage1 went away");
	close(go_fd);
}

_Noreturn void run_pod_init(struct pod *pod, bool interactive, int go_fd)
{
	wait_for_go(go_fd);
	/* If the host side dies, stop the pod the orderly way. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0)
		die_errno("prctl PR_SET_PDEATHSIG", NULL);
	/* Modes of the directories made below are exact; apps get 022 back. */
	umask(0);
	make_mounts_private_to_pod();
	set_pod_hostname(pod->uuid);
	mount_pod_root_filesystems(STAGE1_ROOT);
	mount_pod_dev(STAGE1_ROOT);
	mount_empty_volumes(pod, STAGE1_ROOT);
	for (size_t i = 0; i < pod->app_count; i++)
		mount_app_filesystem(&pod->apps[i], STAGE1_ROOT);
	enter_pod_root(STAGE1_ROOT);
	for (size_t i = 0; i < pod->app_count; i++)
		open_app_sockets(&pod->apps[i]);
	exit(supervise_pod(pod, interactive));
}
