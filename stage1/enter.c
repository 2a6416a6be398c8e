/* stage1 enter entrypoint: `enter --pid=PID --appname=APP -- CMD [ARGS...]`.
 *
 * Runs CMD in the running pod whose PID 1 is PID: in its IPC, UTS, network, PID and mount
 * namespaces, chrooted in APP's root, with APP's environment, as root, in /, confined as the
 * app is (its capabilities, no_new_privs, the seccomp filter), so that an app can gain
 * nothing from tracing it. Exits with the command's status, or dies by the same signal. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capabilities.h"
#include "error.h"
#include "exec_app.h"
#include "pod_config.h"
#include "text.h"

struct namespace_to_join {
	const char *name;
	int type;
	int fd;
};

static _Noreturn void usage(const char *why)
{
	die_message("usage: enter --pid=PID --appname=APP -- CMD [ARGS...]", why);
}

/* The app's entry in the pod's /rkt (the working directory is the pod's root). */
static const struct app *find_app(const char *app_name, const char *pid)
{
	static struct pod pod;

	load_pod(&pod, "rkt", pid);
	for (size_t i = 0; i < pod.app_count; i++)
		if (strcmp(pod.apps[i].name, app_name) == 0)
			return &pod.apps[i];
	die_errnum("find app", app_name, ENOENT);
}

static _Noreturn void exit_like(int wait_status)
{
	if (WIFSIGNALED(wait_status)) {
		signal(WTERMSIG(wait_status), SIG_DFL);
		raise(WTERMSIG(wait_status));
	}
	exit(WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : EXIT_SETUP_FAILED);
}

int main(int argc, char **argv)
{
	const char *pid = NULL, *app_name = NULL;
	char **command = NULL;
	struct namespace_to_join namespaces[] = {
		{ "ipc", CLONE_NEWIPC, -1 }, { "uts", CLONE_NEWUTS, -1 }, { "net", CLONE_NEWNET, -1 },
		{ "pid", CLONE_NEWPID, -1 }, { "mnt", CLONE_NEWNS, -1 },
	};
	const size_t namespace_count = sizeof namespaces / sizeof namespaces[0];
	int root_fd;
	pid_t child;
	int wait_status;

	for (int i = 1; i < argc && command == NULL; i++) {
		if (strncmp(argv[i], "--pid=", 6) == 0)
			pid = argv[i] + 6;
		else if (strncmp(argv[i], "--appname=", 10) == 0)
			app_name = argv[i] + 10;
		else if (strcmp(argv[i], "--debug") == 0)
			debug_enabled = true;
		else if (strcmp(argv[i], "--") == 0)
			command = &argv[i + 1];
		else
			usage(format_string("unexpected argument %s", argv[i]));
	}
	if (pid == NULL || app_name == NULL || command == NULL || command[0] == NULL)
		usage("--pid, --appname and a command are required");

	/* Everything is opened from the host's view before the first setns changes it. */
	for (size_t i = 0; i < namespace_count; i++) {
		char *path = format_string("/proc/%s/ns/%s", pid, namespaces[i].name);
		namespaces[i].fd = open(path, O_RDONLY | O_CLOEXEC);
		if (namespaces[i].fd < 0)
			die_errno("open", path);
	}
	root_fd = open(format_string("/proc/%s/root", pid), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		die_errno("open", format_string("/proc/%s/root", pid));
	for (size_t i = 0; i < namespace_count; i++) {
		if (setns(namespaces[i].fd, namespaces[i].type) < 0)
			die_errno(format_string("join %s namespace of", namespaces[i].name),
				  format_string("pid %s", pid));
		close(namespaces[i].fd);
	}
	/* The pod's root: the directory PID 1 pivoted into. */
	if (fchdir(root_fd) < 0 || chroot(".") < 0)
		die_errno("chroot", format_string("/proc/%s/root", pid));
	close(root_fd);

	/* Only children of a process that joined a PID namespace are in it. */
	child = fork();
	if (child < 0)
		die_errno("fork", NULL);
	if (child == 0) {
		struct app app = *find_app(app_name, pid);
		error_set_app(app_name);
		char **environment = load_app_environment(app_name, 0);
		app.seccomp = true;
		app.no_new_privileges = true;
		restrict_capabilities(app.kept_capabilities);
		chroot_into_app(app_name);
		confine_app_process(&app);
		limit_capabilities(app.kept_capabilities, app.kept_capabilities);
		exec_command(command, environment);
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	while (waitpid(child, &wait_status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid", NULL);
	exit_like(wait_status);
}
