#include "exec_app.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "files.h"
#include "memory.h"
#include "pod_config.h"
#include "seccomp.h"
#include "text.h"

/* Exit statuses a shell uses for the same failures. */
#define EXIT_COMMAND_NOT_EXECUTABLE 126
#define EXIT_COMMAND_NOT_FOUND 127
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

char **environment_with_room(char *const *entries, int extra)
{
	size_t count = count_strings(entries);
	char **environment = xcalloc(count + (size_t)extra + 1, sizeof *environment);

	for (size_t i = 0; i < count; i++)
		environment[i] = entries[i];
	return environment;
}

char **load_app_environment(const char *app_name, int extra)
{
	char *path = format_string("/rkt/env/%s", app_name);
	char **environment = environment_with_room(load_environment(path), extra);

	free(path);
	return environment;
}

void add_environment(char **environment, const char *name, const char *value)
{
	size_t count = count_strings(environment);

	environment[count] = format_string("%s=%s", name, value);
	environment[count + 1] = NULL;
}

void chroot_into_app(const char *app_name)
{
	char *root = format_string("/opt/stage2/%s/rootfs", app_name);

	if (chroot(root) < 0)
		die_errno("chroot", root);
	if (chdir("/") < 0)
		die_errno("chdir", "/");
	free(root);
}

void confine_app_process(const struct app *app)
{
	if (app->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno("prctl PR_SET_NO_NEW_PRIVS", NULL);
	if (app->seccomp)
		install_seccomp_filter(app->kept_capabilities);
}

const char *environment_value(char *const *environment, const char *name)
{
	size_t length = strlen(name);

	for (size_t i = 0; environment[i] != NULL; i++)
		if (strncmp(environment[i], name, length) == 0 && environment[i][length] == '=')
			return environment[i] + length + 1;
	return NULL;
}

static bool is_executable_file(const char *path)
{
	struct stat info;

	return stat(path, &info) == 0 && S_ISREG(info.st_mode) && access(path, X_OK) == 0;
}

static char *find_in_path(const char *name, const char *search_path)
{
	char *directories = xstrdup(search_path);
	char *saveptr = NULL;

	for (char *directory = strtok_r(directories, ":", &saveptr); directory != NULL;
	     directory = strtok_r(NULL, ":", &saveptr)) {
		char *candidate = format_string("%s/%s", directory, name);
		if (is_executable_file(candidate))
			return candidate;
		free(candidate);
	}
	return NULL;
}

/* ENOENT from execve of an existing file means its interpreter is missing: name it. */
static _Noreturn void die_missing_interpreter(const char *path)
{
	char header[256] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, header, sizeof header - 1) : -1;

	error_set_exit_status(EXIT_COMMAND_NOT_FOUND);
	if (got > 2 && header[0] == '#' && header[1] == '!') {
		char *interpreter = header + 2;
		while (*interpreter == ' ' || *interpreter == '\t')
			interpreter++;
		interpreter[strcspn(interpreter, " \t\n")] = '\0';
		die_message(format_string("exec %s", path),
			    format_string("bad interpreter \"%s\": No such file or directory", interpreter));
	}
	die_message(format_string("exec %s", path), "its ELF interpreter or a shared library is missing");
}

/* EACCES from execve says neither that the path is a directory nor that no x bit is set: say which. */
static _Noreturn void die_not_executable(const char *path, int failure)
{
	struct stat info;

	error_set_exit_status(EXIT_COMMAND_NOT_EXECUTABLE);
	if (stat(path, &info) < 0)
		die_errnum("exec", path, failure);
	if (S_ISDIR(info.st_mode))
		die_errnum("exec", path, EISDIR);
	if (S_ISREG(info.st_mode) && (info.st_mode & 0111) == 0)
		die_message(format_string("exec %s", path),
			    format_string("Permission denied: the file is not executable (mode %04o)",
					  (unsigned int)(info.st_mode & 07777)));
	die_errnum("exec", path, failure);
}

_Noreturn void exec_command(char *const *argv, char *const *environment)
{
	const char *search_path = environment_value(environment, "PATH");
	const char *path = argv[0];

	if (strchr(argv[0], '/') == NULL) {
		path = find_in_path(argv[0], search_path != NULL ? search_path : DEFAULT_PATH);
		if (path == NULL) {
			error_set_exit_status(EXIT_COMMAND_NOT_FOUND);
			die_errnum("exec",
				   format_string("%s (not in PATH=%s)", argv[0],
						 search_path != NULL ? search_path : DEFAULT_PATH),
				   ENOENT);
		}
	}
	execve(path, argv, environment);
	int failure = errno;
	if (failure == ENOENT && path_exists(path))
		die_missing_interpreter(path);
	if (failure == EACCES)
		die_not_executable(path, failure);
	error_set_exit_status(failure == ENOENT ? EXIT_COMMAND_NOT_FOUND : EXIT_COMMAND_NOT_EXECUTABLE);
	die_errnum("exec", path, failure);
}
