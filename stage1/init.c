/* stage1 run entrypoint: `init [--debug] [--private-net=LIST] [--interactive]
 * [--private-users=SHIFT:COUNT] [--insecure-options=LIST] [--mds-token=TOKEN] [--local-config=DIR] UUID`.
 *
 * This process keeps `rkt run`'s PID and the pod lock: it prepares what needs the host's view
 * (sockets passed by the host's socket activation, cgroups, log files, the journal, the
 * network namespace), clones the pod's PID 1 into new namespaces, registers it with machined,
 * publishes its PID, forwards termination signals to it, relays the pod's terminal with
 * --interactive on a terminal, and exits with PID 1's status once the pod is unregistered. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups.h"
#include "error.h"
#include "files.h"
#include "handoff.h"
#include "journal.h"
#include "machined.h"
#include "memory.h"
#include "namespaces.h"
#include "pod_config.h"
#include "pod_init.h"
#include "signal_fd.h"
#include "sockets.h"
#include "terminal_relay.h"
#include "text.h"

struct init_options {
	bool interactive;
	bool without_seccomp;
	bool without_no_new_privileges;
	struct id_shift ids;
	const char *uuid;
};

static volatile sig_atomic_t pod_pid1 = 0;

static _Noreturn void usage(const char *why)
{
	die_message("usage: init [--debug] [--private-net=LIST] [--interactive] [--private-users=SHIFT:COUNT] "
		    "[--insecure-options=LIST] [--mds-token=TOKEN] [--local-config=DIR] UUID",
		    why);
}

static void parse_id_shift(const char *value, struct id_shift *ids)
{
	char *copy = xstrdup(value);
	char *colon = strchr(copy, ':');
	unsigned long long shift, count;

	if (colon == NULL)
		usage("--private-users needs SHIFT:COUNT");
	*colon = '\0';
	if (!parse_decimal(copy, &shift) || !parse_decimal(colon + 1, &count) || count == 0)
		usage("--private-users needs SHIFT:COUNT in decimal");
	ids->enabled = true;
	ids->shift = (unsigned long)shift;
	ids->count = (unsigned long)count;
}

/* LIST: comma-separated parts of the apps' confinement to switch off (seccomp, no-new-privs). */
static void parse_insecure_options(const char *list, struct init_options *options)
{
	char *copy = xstrdup(list);
	char *saveptr = NULL;

	for (char *option = strtok_r(copy, ",", &saveptr); option != NULL; option = strtok_r(NULL, ",", &saveptr)) {
		if (strcmp(option, "seccomp") == 0)
			options->without_seccomp = true;
		else if (strcmp(option, "no-new-privs") == 0)
			options->without_no_new_privileges = true;
		else
			usage(format_string("unknown insecure option \"%s\" (known: seccomp, no-new-privs)", option));
	}
	free(copy);
}

static bool has_prefix(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

static void parse_arguments(int argc, char **argv, struct init_options *options)
{
	for (int i = 1; i < argc; i++) {
		const char *argument = argv[i];
		if (strcmp(argument, "--debug") == 0)
			debug_enabled = true;
		else if (strcmp(argument, "--interactive") == 0)
			options->interactive = true;
		else if (has_prefix(argument, "--private-users="))
			parse_id_shift(argument + strlen("--private-users="), &options->ids);
		else if (has_prefix(argument, "--insecure-options="))
			parse_insecure_options(argument + strlen("--insecure-options="), options);
		else if (has_prefix(argument, "--private-net") || has_prefix(argument, "--mds-token=") ||
			 has_prefix(argument, "--local-config="))
			continue; /* stage0 sets up networking and the metadata service */
		else if (argument[0] == '-')
			usage(format_string("unknown flag %s", argument));
		else if (options->uuid != NULL)
			usage("more than one UUID");
		else
			options->uuid = argument;
	}
	if (options->uuid == NULL)
		usage("no pod UUID");
}

/* The lock stays held as long as this process and the pod's PID 1 live; apps never see it. */
static void keep_pod_lock(void)
{
	const char *value = getenv("RKT_LOCK_FD");
	unsigned long long fd;

	if (value == NULL || !parse_decimal(value, &fd) || fd > 65535)
		die_message("RKT_LOCK_FD", "missing or not a descriptor number");
	if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0)
		die_errno("keep the pod lock", format_string("RKT_LOCK_FD=%llu", fd));
}

static void open_app_logs(struct pod *pod)
{
	if (mkdir("logs", 0755) < 0 && errno != EEXIST)
		die_errno("mkdir", "logs");
	for (size_t i = 0; i < pod->app_count; i++) {
		char *path = format_string("logs/%s", pod->apps[i].name);
		pod->apps[i].log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (pod->apps[i].log_fd < 0)
			die_errno("open", path);
		free(path);
	}
}

static void forward_signal(int signal_number)
{
	if (pod_pid1 > 0)
		kill((pid_t)pod_pid1, signal_number);
}

/* Installs the forwarding handler with the signals blocked; they stay pending (and stay
 * blocked in the pod's PID 1, which reads them later) until the PID to forward to is known. */
static void prepare_signal_forwarding(sigset_t *forwarded)
{
	struct sigaction action = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };

	sigemptyset(forwarded);
	sigaddset(forwarded, SIGTERM);
	sigaddset(forwarded, SIGINT);
	sigaddset(forwarded, SIGHUP);
	sigaddset(forwarded, SIGNAL_POWEROFF);
	if (sigprocmask(SIG_BLOCK, forwarded, NULL) < 0)
		die_errno("block signals", NULL);
	action.sa_mask = *forwarded;
	for (int signal_number = 1; signal_number < NSIG; signal_number++)
		if (sigismember(forwarded, signal_number) && sigaction(signal_number, &action, NULL) < 0)
			die_errno("sigaction", NULL);
}

static int wait_for_pod(pid_t pid)
{
	int wait_status;

	while (waitpid(pid, &wait_status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid", "pod");
	return WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
}

static char *pod_root_directory(void)
{
	char *cwd = getcwd(NULL, 0);
	char *root;

	if (cwd == NULL)
		die_errno("getcwd", NULL);
	root = format_string("%s/%s", cwd, STAGE1_ROOT);
	free(cwd);
	return root;
}

int main(int argc, char **argv)
{
	struct init_options options = { .interactive = false };
	struct pod pod;
	sigset_t forwarded;
	int handoff[2];
	pid_t child;
	int terminal_master = -1;
	bool registered;
	int status;

	parse_arguments(argc, argv, &options);
	keep_pod_lock();
	load_pod(&pod, STAGE1_ROOT "/rkt", options.uuid);
	for (size_t i = 0; i < pod.app_count; i++) {
		pod.apps[i].seccomp = !options.without_seccomp;
		pod.apps[i].no_new_privileges = !options.without_no_new_privileges;
	}
	if (options.interactive && pod.app_count != 1)
		die_message("--interactive",
			    format_string("the pod has %zu apps, interactive mode runs exactly one", pod.app_count));
	adopt_inherited_sockets(&pod);
	setup_pod_cgroups(&pod, "cgroup");
	open_app_logs(&pod);
	connect_journal(format_string("rkt-%s", pod.uuid));
	join_network_namespace_if_present("netns");
	prepare_signal_forwarding(&forwarded);
	open_handoff(handoff);

	child = clone_into_new_namespaces(options.ids.enabled);
	if (child == 0) {
		close(handoff[1]);
		run_pod_init(&pod, options.interactive, options.ids.enabled, handoff[0]);
	}
	close(handoff[0]);
	pod_pid1 = child;
	if (options.ids.enabled)
		write_id_maps(child, &options.ids);
	/* Before PID 1 may start apps: a leader that already exited could not be registered. */
	registered = register_pod_machine(pod.uuid, child, pod_root_directory());
	send_go(handoff[1], child, STAGE1_ROOT);
	if (wait_until_ready(handoff[1], &terminal_master))
		write_file_atomically("pid", format_string("%d\n", (int)child), 0644);
	if (sigprocmask(SIG_UNBLOCK, &forwarded, NULL) < 0)
		die_errno("unblock signals", NULL);
	if (terminal_master >= 0)
		relay_pod_terminal(terminal_master, child, pod.apps[0].log_fd);
	status = wait_for_pod(child);
	if (registered)
		unregister_pod_machine(pod.uuid);
	return status;
}
