/* A minimal client of the D-Bus system bus: EXTERNAL authentication, method calls whose
 * arguments are strings, byte arrays and 32-bit integers, and their replies' success or
 * error. Enough for machined; little-endian messages only (the daemon answers in its
 * native order, which is little-endian on the targets stage1 is built for). */
#ifndef STAGE1_DBUS_H
#define STAGE1_DBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Marshalled arguments of one call, with their signature. */
struct dbus_arguments {
	char signature[64];
	unsigned char *data;
	size_t length;
};

void dbus_add_string(struct dbus_arguments *arguments, const char *value);
void dbus_add_bytes(struct dbus_arguments *arguments, const unsigned char *value, size_t length);
void dbus_add_uint32(struct dbus_arguments *arguments, uint32_t value);
void dbus_free_arguments(struct dbus_arguments *arguments);

/* Connects to the system bus and says Hello; -1 with a debug message when there is no bus
 * (on a host without D-Bus), *ERROR set when the bus refuses us. */
int dbus_open_system_bus(char **error);
/* Calls DESTINATION's method and waits for its reply: true on success; false with *ERROR
 * "org.freedesktop.DBus.Error.Name: message" (or the I/O error) otherwise. */
bool dbus_call(int bus, const char *destination, const char *path, const char *interface, const char *member,
	       const struct dbus_arguments *arguments, char **error);

#endif
