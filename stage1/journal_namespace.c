#include "journal_namespace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dbus.h"
#include "error.h"
#include "files.h"
#include "mounts.h"
#include "text.h"
#include "unix_socket.h"

#define SYSTEMD "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
/* How long the namespace's journald, just started, may take to open its journal file. */
#define JOURNALD_WAIT_STEPS 200
#define JOURNALD_WAIT_STEP_NS (10 * 1000 * 1000)

static char *namespace_directory;

static bool start_journal_service(const char *name)
{
	char *unit = format_string("systemd-journald@%s.service", name);
	struct dbus_arguments arguments = { .data = NULL };
	char *error = NULL;
	int bus = dbus_open_system_bus(&error);
	bool started;

	dbus_add_string(&arguments, unit);
	dbus_add_string(&arguments, "replace");
	started = bus >= 0 && dbus_call(bus, SYSTEMD, SYSTEMD_PATH, SYSTEMD_MANAGER, "StartUnit", &arguments, &error);
	if (bus >= 0)
		close(bus);
	if (error != NULL)
		debug_message("no journal namespace: start %s: %s", unit, error);
	free(error);
	free(unit);
	dbus_free_arguments(&arguments);
	return started;
}

/* Entries that reach journald before it runs are kept, but it reads their sender's unit only
 * when it takes them, and an app that exited by then has none: wait until it opened its file. */
static void wait_for_journald(const char *directory)
{
	char *file = format_string("%s/system.journal", directory);
	struct timespec step = { .tv_nsec = JOURNALD_WAIT_STEP_NS };

	for (int i = 0; i < JOURNALD_WAIT_STEPS && !path_exists(file); i++)
		nanosleep(&step, NULL);
	if (!path_exists(file))
		debug_message("journal namespace: %s did not appear", file);
	free(file);
}

/* A namespace's journald exits when idle (30 s without stream clients on systemd 252) and
 * its socket unit stops with it, which would close the socket stage1 sends to: a stream
 * connection, held open and silent for the life of stage1, keeps it running. */
static void hold_journald(const char *name)
{
	char *stdout_socket = format_string("/run/systemd/journal.%s/stdout", name);

	/* Never closed: the connection lives as long as stage1. */
	(void)connect_unix_socket(stdout_socket, SOCK_STREAM, "journal namespace");
	free(stdout_socket);
}

static char *host_machine_id(void)
{
	char *id = read_file_or_null("/etc/machine-id", NULL);

	if (id != NULL)
		id[strcspn(id, "\n")] = '\0';
	return id;
}

char *start_journal_namespace(const char *name)
{
	char *socket_path = format_string("/run/systemd/journal.%s/socket", name);
	char *machine_id = host_machine_id();

	if (machine_id == NULL || machine_id[0] == '\0' || !start_journal_service(name)) {
		free(machine_id);
		free(socket_path);
		return NULL;
	}
	namespace_directory = format_string("/var/log/journal/%s.%s", machine_id, name);
	wait_for_journald(namespace_directory);
	hold_journald(name);
	free(machine_id);
	return socket_path;
}

void expose_journal_namespace(const char *root)
{
	char *target, *slash;

	if (namespace_directory == NULL)
		return;
	target = format_string("%s%s", root, namespace_directory);
	slash = strrchr(target, '.');
	*slash = '\0';
	if (!is_directory(namespace_directory))
		make_directories(namespace_directory, 02755);
	make_directories(target, 0755);
	mount_or_die(namespace_directory, target, NULL, MS_BIND, NULL);
	mount_or_die(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	free(target);
}
