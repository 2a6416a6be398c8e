#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capabilities.h"
#include "cgroups.h"
#include "error.h"
#include "exec_app.h"
#include "pod_terminal.h"
#include "sockets.h"
#include "text.h"

/* PID 1 inherited handlers, blocks the signals it reads through a signalfd and ignores
 * SIGPIPE; an app starts with default dispositions and nothing blocked. */
static void reset_signals(void)
{
	sigset_t none;

	for (int signal_number = 1; signal_number < NSIG; signal_number++)
		if (signal_number != SIGKILL && signal_number != SIGSTOP)
			signal(signal_number, SIG_DFL); /* EINVAL for the few the C library reserves */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		die_errno("reset signal mask", NULL);
}

static void connect_output(const struct app_output *output)
{
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (null_fd < 0)
		die_errno("open", "/dev/null");
	if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(output->out.write_fd, STDOUT_FILENO) < 0 ||
	    dup2(output->err.write_fd, STDERR_FILENO) < 0)
		die_errno("dup2", "app output");
	close(null_fd);
}

static void set_identity(const struct app *app)
{
	if (setgroups(app->supplementary_group_count, app->supplementary_groups) < 0)
		die_errno("setgroups", NULL);
	if (setresgid(app->gid, app->gid, app->gid) < 0)
		die_errno("setresgid", format_string("%u", (unsigned)app->gid));
	if (setresuid(app->uid, app->uid, app->uid) < 0)
		die_errno("setresuid", format_string("%u", (unsigned)app->uid));
}

/* --interactive: the app talks to rkt's own terminal, so it gets that terminal's TERM (as
 * systemd-nspawn does) unless its environment names one. */
static void pass_terminal_type(char **environment)
{
	const char *term = getenv("TERM");

	if (term != NULL && *term != '\0' && environment_value(environment, "TERM") == NULL)
		add_environment(environment, "TERM", term);
}

static _Noreturn void run_app_process(const struct app *app, char *const *argv, enum app_role role,
				      const struct app_output *output, const struct app_stdio *stdio)
{
	char **environment;

	error_set_app(app->name);
	/* Its own process group either way: a session leader leads one too. */
	if (stdio->kind == STDIO_POD_TERMINAL)
		take_pod_terminal(stdio->terminal_fd);
	else if (setpgid(0, 0) < 0)
		die_errno("setpgid", NULL);
	reset_signals();
	join_app_cgroups(app);
	if (stdio->kind == STDIO_OUTPUT_PIPES)
		connect_output(output);
	environment = environment_with_room(app->environment, 3);
	if (stdio->kind != STDIO_OUTPUT_PIPES)
		pass_terminal_type(environment);
	if (role == ROLE_MAIN)
		pass_app_sockets(app, environment);
	restrict_capabilities(app->kept_capabilities);
	chroot_into_app(app->name);
	confine_app_process(app);
	set_identity(app);
	limit_capabilities(app->kept_capabilities, app->kept_capabilities);
	if (chdir(app->workdir) < 0)
		die_errno("chdir", app->workdir);
	umask(022);
	exec_command(argv, environment);
}

pid_t launch_app_process(const struct app *app, char *const *argv, enum app_role role, const struct app_output *output,
			 const struct app_stdio *stdio)
{
	pid_t pid = fork();

	if (pid < 0)
		die_errno("fork", NULL);
	if (pid == 0)
		run_app_process(app, argv, role, output, stdio);
	/* Also set here, so that a stop right after the fork reaches the whole group; not for a
	 * process that starts a session, which setsid refuses to a group leader. */
	if (stdio->kind != STDIO_POD_TERMINAL && setpgid(pid, pid) < 0 && errno != EACCES && errno != ESRCH)
		warn_errno("setpgid", NULL);
	return pid;
}
