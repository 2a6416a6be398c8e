#include "supervisor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app_output.h"
#include "error.h"
#include "launch.h"
#include "memory.h"
#include "signal_fd.h"
#include "status.h"
#include "text.h"

/* Between SIGTERM and SIGKILL when the pod stops. */
#define STOP_GRACE_SECONDS 10

enum phase { PHASE_PRE_START, PHASE_MAIN, PHASE_POST_STOP, PHASE_DONE };

struct app_run {
	struct app *app;
	enum phase phase;
	pid_t pid; /* the process of the current phase; 0 when none runs */
	int status; /* for /rkt/status: exit code or signal number; 0 if the app never ran */
	struct app_output output;
};

struct supervisor {
	struct app_run *runs;
	size_t count;
	const struct app_stdio *stdio;
	bool output_pipes; /* the apps' output passes through PID 1 */
	bool stopping;
	bool killed_everything;
	struct timespec kill_deadline;
	bool failed;
	int exit_status;
	int signal_fd;
};

static int status_value(int wait_status)
{
	return WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
}

static bool succeeded(int wait_status)
{
	return WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
}

static void note_failure(struct supervisor *pod, struct app_run *run, int wait_status)
{
	if (pod->failed)
		return;
	pod->failed = true;
	pod->exit_status = WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
	debug_message("app %s failed: pod exit status %d", run->app->name, pod->exit_status);
}

static void start_process(struct supervisor *pod, struct app_run *run, enum phase phase)
{
	char *const *argv = phase == PHASE_PRE_START ? run->app->pre_start
			    : phase == PHASE_MAIN    ? run->app->exec
						     : run->app->post_stop;
	enum app_role role = phase == PHASE_PRE_START ? ROLE_PRE_START
			     : phase == PHASE_MAIN    ? ROLE_MAIN
						      : ROLE_POST_STOP;

	run->phase = phase;
	run->pid = launch_app_process(run->app, argv, role, &run->output, pod->stdio);
	debug_message("app %s: started %s as pid %d", run->app->name, argv[0], (int)run->pid);
}

static void stop_process_group(pid_t pid, int signal_number)
{
	if (kill(-pid, signal_number) < 0 && kill(pid, signal_number) < 0 && errno != ESRCH)
		warn_errno("kill", format_string("%d", (int)pid));
}

static void begin_stop(struct supervisor *pod)
{
	if (pod->stopping)
		return;
	pod->stopping = true;
	if (clock_gettime(CLOCK_MONOTONIC, &pod->kill_deadline) < 0)
		die_errno("clock_gettime", NULL);
	pod->kill_deadline.tv_sec += STOP_GRACE_SECONDS;
	for (size_t i = 0; i < pod->count; i++) {
		struct app_run *run = &pod->runs[i];
		if (run->pid > 0 && (run->phase == PHASE_PRE_START || run->phase == PHASE_MAIN))
			stop_process_group(run->pid, SIGTERM);
	}
}

/* Everything left in the pod's PID namespace but PID 1 itself. */
static void kill_everything(struct supervisor *pod)
{
	pod->killed_everything = true;
	if (kill(-1, SIGKILL) < 0 && errno != ESRCH)
		warn_errno("kill", "the pod's processes");
}

static void after_exit(struct supervisor *pod, struct app_run *run, int wait_status)
{
	run->pid = 0;
	switch (run->phase) {
	case PHASE_PRE_START:
		if (!succeeded(wait_status)) {
			run->status = status_value(wait_status);
			note_failure(pod, run, wait_status);
			begin_stop(pod);
			run->phase = PHASE_DONE;
		} else if (pod->stopping)
			run->phase = PHASE_DONE;
		else
			start_process(pod, run, PHASE_MAIN);
		break;
	case PHASE_MAIN:
		run->status = status_value(wait_status);
		if (!succeeded(wait_status)) {
			note_failure(pod, run, wait_status);
			begin_stop(pod);
		}
		if (run->app->post_stop != NULL && !pod->killed_everything)
			start_process(pod, run, PHASE_POST_STOP);
		else
			run->phase = PHASE_DONE;
		break;
	case PHASE_POST_STOP:
	case PHASE_DONE:
		run->phase = PHASE_DONE;
		break;
	}
}

static void reap_children(struct supervisor *pod)
{
	int wait_status;
	pid_t pid;

	while ((pid = waitpid(-1, &wait_status, WNOHANG)) > 0) {
		for (size_t i = 0; i < pod->count; i++) {
			if (pod->runs[i].pid == pid) {
				after_exit(pod, &pod->runs[i], wait_status);
				break;
			}
		}
	}
	if (pid < 0 && errno != ECHILD)
		die_errno("waitpid", NULL);
}

static void handle_signals(struct supervisor *pod)
{
	struct signalfd_siginfo info;

	while (read(pod->signal_fd, &info, sizeof info) == sizeof info) {
		if (info.ssi_signo == SIGCHLD)
			reap_children(pod);
		else {
			debug_message("received signal %u: stopping the pod", info.ssi_signo);
			begin_stop(pod);
		}
	}
}

static bool all_done(const struct supervisor *pod)
{
	for (size_t i = 0; i < pod->count; i++)
		if (pod->runs[i].phase != PHASE_DONE)
			return false;
	return true;
}

static int milliseconds_until_kill(const struct supervisor *pod)
{
	struct timespec now;

	if (!pod->stopping || pod->killed_everything)
		return -1;
	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		die_errno("clock_gettime", NULL);
	long long left = (pod->kill_deadline.tv_sec - now.tv_sec) * 1000LL +
			 (pod->kill_deadline.tv_nsec - now.tv_nsec) / 1000000;
	return left > 0 ? (int)left : 0;
}

static void wait_for_events(struct supervisor *pod)
{
	struct pollfd *fds = xcalloc(1 + 2 * pod->count, sizeof *fds);
	size_t count = 0;
	int timeout = milliseconds_until_kill(pod);

	fds[count++] = (struct pollfd){ .fd = pod->signal_fd, .events = POLLIN };
	for (size_t i = 0; i < pod->count && pod->output_pipes; i++) {
		fds[count++] = (struct pollfd){ .fd = pod->runs[i].output.out.read_fd, .events = POLLIN };
		fds[count++] = (struct pollfd){ .fd = pod->runs[i].output.err.read_fd, .events = POLLIN };
	}
	if (poll(fds, count, timeout) < 0 && errno != EINTR)
		die_errno("poll", NULL);
	for (size_t i = 0; i < pod->count && pod->output_pipes; i++) {
		if (fds[1 + 2 * i].revents & POLLIN)
			pump_output(&pod->runs[i].output, &pod->runs[i].output.out);
		if (fds[2 + 2 * i].revents & POLLIN)
			pump_output(&pod->runs[i].output, &pod->runs[i].output.err);
	}
	if (fds[0].revents & POLLIN)
		handle_signals(pod);
	if (pod->stopping && !pod->killed_everything && milliseconds_until_kill(pod) == 0)
		kill_everything(pod);
	free(fds);
}

/* Processes the apps left behind (daemons) end with the pod, and every child is reaped. */
static void end_remaining_processes(struct supervisor *pod)
{
	kill_everything(pod);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	for (size_t i = 0; i < pod->count && pod->output_pipes; i++)
		drain_app_output(&pod->runs[i].output);
}

int supervise_pod(struct pod *pod_config, const struct app_stdio *stdio)
{
	struct supervisor pod = {
		.runs = xcalloc(pod_config->app_count, sizeof(struct app_run)),
		.count = pod_config->app_count,
		.stdio = stdio,
		.output_pipes = stdio->kind == STDIO_OUTPUT_PIPES,
	};

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die_errno("ignore", "SIGPIPE");
	pod.signal_fd = open_signal_fd((const int[]){ SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGNAL_POWEROFF, 0 });
	for (size_t i = 0; i < pod.count; i++) {
		struct app_run *run = &pod.runs[i];
		run->app = &pod_config->apps[i];
		if (pod.output_pipes)
			open_app_output(&run->output, run->app->name,
					pod.count > 1 ? format_string("%s: ", run->app->name) : NULL, run->app->log_fd);
	}
	for (size_t i = 0; i < pod.count; i++)
		start_process(&pod, &pod.runs[i], pod.runs[i].app->pre_start != NULL ? PHASE_PRE_START : PHASE_MAIN);
	while (!all_done(&pod))
		wait_for_events(&pod);
	end_remaining_processes(&pod);
	for (size_t i = 0; i < pod.count; i++)
		write_app_status(pod.runs[i].app->name, pod.runs[i].status);
	return pod.failed ? pod.exit_status : 0;
}
