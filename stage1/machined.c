#include "machined.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbus.h"
#include "error.h"
#include "text.h"

#define MACHINED "org.freedesktop.machine1"
#define MACHINED_PATH "/org/freedesktop/machine1"
#define MACHINED_MANAGER "org.freedesktop.machine1.Manager"

/* The 128 bits of the pod UUID are the machine's ID. */
static void uuid_bytes(const char *uuid, unsigned char id[16])
{
	size_t digits = 0;

	memset(id, 0, 16);
	for (const char *c = uuid; *c != '\0' && digits < 32; c++) {
		if (!isxdigit((unsigned char)*c))
			continue;
		unsigned value = isdigit((unsigned char)*c) ? (unsigned)(*c - '0') : (unsigned)(tolower(*c) - 'a' + 10);
		id[digits / 2] |= (unsigned char)(digits % 2 == 0 ? value << 4 : value);
		digits++;
	}
}

/* Errors that only mean there is nothing to do: no machined on this host, or a machine it
 * dropped already (its unit was stopped by `machinectl terminate`). */
static bool nothing_to_do(const char *error)
{
	static const char *const quiet[] = { "org.freedesktop.DBus.Error.ServiceUnknown:",
					     "org.freedesktop.machine1.NoSuchMachine:" };

	for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
		if (strncmp(error, quiet[i], strlen(quiet[i])) == 0)
			return true;
	return false;
}

/* Calls a machined method (ACTION says what it does in a warning); false on failure, reported
 * unless there was nothing to do. */
static bool call_machined(const char *member, const char *action, const char *machine, struct dbus_arguments *arguments)
{
	char *error = NULL;
	int bus = dbus_open_system_bus(&error);
	bool called = bus >= 0 && dbus_call(bus, MACHINED, MACHINED_PATH, MACHINED_MANAGER, member, arguments, &error);

	if (bus >= 0)
		close(bus);
	if (error != NULL && nothing_to_do(error))
		debug_message("%s machine %s: %s", member, machine, error);
	else if (error != NULL)
		warn_message("systemd-machined: %s %s: %s", action, machine, error);
	free(error);
	dbus_free_arguments(arguments);
	return called;
}

bool register_pod_machine(const char *uuid, pid_t leader, const char *root_directory)
{
	char *machine = format_string("rkt-%s", uuid);
	struct dbus_arguments arguments = { .data = NULL };
	unsigned char id[16];
	bool registered;

	uuid_bytes(uuid, id);
	dbus_add_string(&arguments, machine);
	dbus_add_bytes(&arguments, id, sizeof id);
	dbus_add_string(&arguments, "rkt");
	dbus_add_string(&arguments, "container");
	dbus_add_uint32(&arguments, (uint32_t)leader);
	dbus_add_string(&arguments, root_directory);
	registered = call_machined("RegisterMachine", "register", machine, &arguments);
	if (registered)
		debug_message("registered machine %s", machine);
	free(machine);
	return registered;
}

void unregister_pod_machine(const char *uuid)
{
	char *machine = format_string("rkt-%s", uuid);
	struct dbus_arguments arguments = { .data = NULL };

	dbus_add_string(&arguments, machine);
	call_machined("UnregisterMachine", "unregister", machine, &arguments);
	free(machine);
}
