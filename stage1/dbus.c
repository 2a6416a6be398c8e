#include "dbus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "error.h"
#include "files.h"
#include "memory.h"
#include "text.h"
#include "unix_socket.h"

#define SYSTEM_BUS_SOCKET "/run/dbus/system_bus_socket"
/* How long a call may take, as sd-bus's default: machined may first have to be started. */
#define CALL_TIMEOUT_SECONDS 25

enum { MESSAGE_METHOD_CALL = 1, MESSAGE_METHOD_RETURN = 2, MESSAGE_ERROR = 3 };
enum {
	FIELD_PATH = 1,
	FIELD_INTERFACE = 2,
	FIELD_MEMBER = 3,
	FIELD_ERROR_NAME = 4,
	FIELD_REPLY_SERIAL = 5,
	FIELD_DESTINATION = 6,
	FIELD_SIGNATURE = 8
};

static uint32_t last_serial;

/* Appending to a marshalled buffer (alignment counted from its start, which is 8-aligned in
 * the message). */
static void append(struct dbus_arguments *buffer, const void *bytes, size_t length)
{
	buffer->data = xrealloc(buffer->data, buffer->length + length);
	memcpy(buffer->data + buffer->length, bytes, length);
	buffer->length += length;
}

static void align(struct dbus_arguments *buffer, size_t boundary)
{
	static const unsigned char zeros[8];

	append(buffer, zeros, (boundary - buffer->length % boundary) % boundary);
}

static void add_signature_code(struct dbus_arguments *arguments, const char *code)
{
	if (strlen(arguments->signature) + strlen(code) >= sizeof arguments->signature)
		die_message("dbus", "too many arguments");
	strcat(arguments->signature, code);
}

static void put_uint32(struct dbus_arguments *buffer, uint32_t value)
{
	align(buffer, 4);
	append(buffer, &value, sizeof value);
}

static void put_string(struct dbus_arguments *buffer, const char *value)
{
	put_uint32(buffer, (uint32_t)strlen(value));
	append(buffer, value, strlen(value) + 1);
}

static void put_signature(struct dbus_arguments *buffer, const char *value)
{
	unsigned char length = (unsigned char)strlen(value);

	append(buffer, &length, 1);
	append(buffer, value, (size_t)length + 1);
}

void dbus_add_string(struct dbus_arguments *arguments, const char *value)
{
	add_signature_code(arguments, "s");
	put_string(arguments, value);
}

void dbus_add_bytes(struct dbus_arguments *arguments, const unsigned char *value, size_t length)
{
	add_signature_code(arguments, "ay");
	put_uint32(arguments, (uint32_t)length);
	append(arguments, value, length);
}

void dbus_add_uint32(struct dbus_arguments *arguments, uint32_t value)
{
	add_signature_code(arguments, "u");
	put_uint32(arguments, value);
}

void dbus_free_arguments(struct dbus_arguments *arguments)
{
	free(arguments->data);
	*arguments = (struct dbus_arguments){ .data = NULL };
}

/* A header field: a struct (8-aligned) of its code and a variant of one basic type. */
static void put_field(struct dbus_arguments *header, unsigned char code, const char *type, const char *value)
{
	align(header, 8);
	append(header, &code, 1);
	put_signature(header, type);
	if (strcmp(type, "g") == 0)
		put_signature(header, value);
	else
		put_string(header, value);
}

static void send_call(int bus, const char *destination, const char *path, const char *interface, const char *member,
		      const struct dbus_arguments *arguments)
{
	struct dbus_arguments message = { .data = NULL };
	struct dbus_arguments fields = { .data = NULL };
	const unsigned char fixed[4] = { 'l', MESSAGE_METHOD_CALL, 0, 1 };
	uint32_t fields_length;

	put_field(&fields, FIELD_PATH, "o", path);
	put_field(&fields, FIELD_INTERFACE, "s", interface);
	put_field(&fields, FIELD_MEMBER, "s", member);
	put_field(&fields, FIELD_DESTINATION, "s", destination);
	if (arguments->length > 0)
		put_field(&fields, FIELD_SIGNATURE, "g", arguments->signature);
	fields_length = (uint32_t)fields.length;

	append(&message, fixed, sizeof fixed);
	put_uint32(&message, (uint32_t)arguments->length);
	put_uint32(&message, ++last_serial);
	put_uint32(&message, fields_length);
	append(&message, fields.data, fields.length);
	align(&message, 8);
	append(&message, arguments->data, arguments->length);
	if (!write_all(bus, message.data, message.length))
		debug_message("dbus: send %s: %s", member, strerror(errno));
	dbus_free_arguments(&fields);
	dbus_free_arguments(&message);
}

static bool read_exactly(int bus, void *buffer, size_t length)
{
	size_t done = 0;

	while (done < length) {
		ssize_t got = read(bus, (char *)buffer + done, length - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = ECONNRESET;
			return false;
		}
		done += (size_t)got;
	}
	return true;
}

struct reply {
	unsigned char type;
	uint32_t reply_serial;
	char *error_name;
	char *signature;
	unsigned char *body;
	uint32_t body_length;
};

static uint32_t get_uint32(const unsigned char *bytes)
{
	uint32_t value;

	memcpy(&value, bytes, sizeof value);
	return value;
}

/* Reads the header fields of a reply that matter here; false when they are malformed. */
static bool parse_fields(const unsigned char *fields, size_t length, struct reply *reply)
{
	size_t at = 0;

	while (at < length) {
		unsigned char code = fields[at];
		unsigned char type_length = at + 1 < length ? fields[at + 1] : 0;
		char type;

		if (at + 3 + type_length > length || type_length != 1)
			return false;
		type = (char)fields[at + 2];
		at += 4; /* code, signature length, the type, its NUL */
		if (type == 'g') {
			size_t value_length = at < length ? fields[at] : 0;
			if (at + 2 + value_length > length)
				return false;
			if (code == FIELD_SIGNATURE)
				reply->signature = strndup((const char *)fields + at + 1, value_length);
			at += 2 + value_length;
		} else {
			at = (at + 3) & ~(size_t)3;
			if (at + 4 > length)
				return false;
			uint32_t value = get_uint32(fields + at);
			at += 4;
			if (type == 'u') {
				if (code == FIELD_REPLY_SERIAL)
					reply->reply_serial = value;
			} else {
				if (at + value + 1 > length)
					return false;
				if (code == FIELD_ERROR_NAME)
					reply->error_name = strndup((const char *)fields + at, value);
				at += value + 1;
			}
		}
		at = (at + 7) & ~(size_t)7;
	}
	return true;
}

static void free_reply(struct reply *reply)
{
	free(reply->error_name);
	free(reply->signature);
	free(reply->body);
	*reply = (struct reply){ .type = 0 };
}

/* Reads one message; false with *ERROR on an I/O error or a message this client cannot read. */
static bool read_message(int bus, struct reply *reply, char **error)
{
	unsigned char fixed[16];
	unsigned char *fields;
	uint32_t fields_length, padded;

	*reply = (struct reply){ .type = 0 };
	if (!read_exactly(bus, fixed, sizeof fixed)) {
		*error = format_string("read reply: %s", strerror(errno));
		return false;
	}
	fields_length = get_uint32(fixed + 12);
	reply->body_length = get_uint32(fixed + 4);
	if (fixed[0] != 'l' || fields_length > 65536 || reply->body_length > 1 << 20) {
		*error = xstrdup("read reply: not a little-endian D-Bus message of a sane size");
		return false;
	}
	reply->type = fixed[1];
	padded = (fields_length + 7) & ~7U;
	fields = xmalloc(padded);
	reply->body = xmalloc(reply->body_length + 1);
	if (!read_exactly(bus, fields, padded) || !read_exactly(bus, reply->body, reply->body_length)) {
		*error = format_string("read reply: %s", strerror(errno));
		free(fields);
		return false;
	}
	reply->body[reply->body_length] = '\0';
	if (!parse_fields(fields, fields_length, reply)) {
		*error = xstrdup("read reply: malformed header fields");
		free(fields);
		return false;
	}
	free(fields);
	return true;
}

/* An error's text: its name, and its message when the body starts with a string. */
static char *describe_error(const struct reply *reply)
{
	const char *name = reply->error_name != NULL ? reply->error_name : "unnamed error";

	if (reply->signature != NULL && reply->signature[0] == 's' && reply->body_length >= 5) {
		uint32_t length = get_uint32(reply->body);
		if (length <= reply->body_length - 5)
			return format_string("%s: %.*s", name, (int)length, (const char *)reply->body + 4);
	}
	return xstrdup(name);
}

bool dbus_call(int bus, const char *destination, const char *path, const char *interface, const char *member,
	       const struct dbus_arguments *arguments, char **error)
{
	struct reply reply;
	uint32_t serial;

	send_call(bus, destination, path, interface, member, arguments);
	serial = last_serial;
	for (;;) {
		if (!read_message(bus, &reply, error)) {
			free_reply(&reply);
			return false;
		}
		/* Signals (NameAcquired after Hello) and other traffic are skipped. */
		if ((reply.type == MESSAGE_METHOD_RETURN || reply.type == MESSAGE_ERROR) &&
		    reply.reply_serial == serial)
			break;
		free_reply(&reply);
	}
	bool succeeded = reply.type == MESSAGE_METHOD_RETURN;
	if (!succeeded)
		*error = describe_error(&reply);
	free_reply(&reply);
	return succeeded;
}

/* "AUTH EXTERNAL" with our uid in hex of its decimal digits, after the NUL byte the protocol
 * starts with; the bus answers one "OK <guid>" line. */
static bool authenticate(int bus, char **error)
{
	char uid[16], hex[2 * sizeof uid + 1] = "", answer[256];
	size_t length = 0;
	char *request;
	bool sent;

	snprintf(uid, sizeof uid, "%u", (unsigned)geteuid());
	for (size_t i = 0; uid[i] != '\0'; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)uid[i]);
	request = format_string("AUTH EXTERNAL %s\r\n", hex);
	sent = write_all(bus, "", 1) && write_all(bus, request, strlen(request));
	free(request);
	while (sent && length < sizeof answer - 1 && (length < 2 || memcmp(answer + length - 2, "\r\n", 2) != 0)) {
		if (!read_exactly(bus, answer + length, 1))
			sent = false;
		length++;
	}
	if (!sent) {
		*error = format_string("authenticate: %s", strerror(errno));
		return false;
	}
	answer[length] = '\0';
	if (strncmp(answer, "OK ", 3) != 0) {
		*error = format_string("authenticate: the bus answered %.*s", (int)strcspn(answer, "\r\n"), answer);
		return false;
	}
	if (!write_all(bus, "BEGIN\r\n", 7)) {
		*error = format_string("authenticate: %s", strerror(errno));
		return false;
	}
	return true;
}

int dbus_open_system_bus(char **error)
{
	struct timeval timeout = { .tv_sec = CALL_TIMEOUT_SECONDS };
	struct dbus_arguments no_arguments = { .data = NULL };
	int bus;

	*error = NULL;
	bus = connect_unix_socket(SYSTEM_BUS_SOCKET, SOCK_STREAM, "no system bus");
	if (bus < 0)
		return -1;
	if (setsockopt(bus, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0 ||
	    setsockopt(bus, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout) < 0)
		die_errno("setsockopt", "D-Bus timeouts");
	if (!authenticate(bus, error) || !dbus_call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
						    "org.freedesktop.DBus", "Hello", &no_arguments, error)) {
		close(bus);
		return -1;
	}
	return bus;
}
