#include "sockets.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "exec_app.h"
#include "memory.h"
#include "text.h"

/* The systemd protocol: passed descriptors start at 3, announced by these variables. */
#define FIRST_LISTEN_FD 3
static const char *const activation_variables[] = { "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES" };
#define ACTIVATION_VARIABLE_COUNT (sizeof activation_variables / sizeof activation_variables[0])

static const char *protocol_name(int type)
{
	return type == SOCK_STREAM ? "tcp" : type == SOCK_DGRAM ? "udp" : "other";
}

/* How many descriptors the host's service manager passed to this very process (0: none);
 * removes the variables, as sd_listen_fds does, so that nothing started later takes them. */
static int take_inherited_socket_count(void)
{
	const char *count_text = getenv("LISTEN_FDS");
	const char *owner_text = getenv("LISTEN_PID");
	unsigned long long count = 0, owner;
	bool for_us = count_text != NULL && owner_text != NULL && parse_decimal(owner_text, &owner) &&
		      owner == (unsigned long long)getpid();

	if (for_us && (!parse_decimal(count_text, &count) || count > 65535 - FIRST_LISTEN_FD))
		die_message(format_string("LISTEN_FDS=%s", count_text), "not a number of passed descriptors");
	for (size_t i = 0; i < ACTIVATION_VARIABLE_COUNT; i++)
		unsetenv(activation_variables[i]);
	return (int)count;
}

/* The type and local port of an IPv4 or IPv6 socket; false for anything else. */
static bool inherited_socket_port(int fd, struct socket_port *port)
{
	struct sockaddr_storage address;
	socklen_t address_length = sizeof address;
	socklen_t type_length = sizeof port->type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &port->type, &type_length) < 0 ||
	    getsockname(fd, (struct sockaddr *)&address, &address_length) < 0)
		return false;
	if (address.ss_family == AF_INET)
		port->port = ntohs(((struct sockaddr_in *)&address)->sin_port);
	else if (address.ss_family == AF_INET6)
		port->port = ntohs(((struct sockaddr_in6 *)&address)->sin6_port);
	else
		return false;
	return true;
}

/* Gives FD to the first app port of the same type and number that has no socket yet. */
static bool hand_to_app(struct pod *pod, int fd, const struct socket_port *inherited)
{
	for (size_t a = 0; a < pod->app_count; a++) {
		struct app *app = &pod->apps[a];
		for (size_t i = 0; i < app->socket_count; i++) {
			if (app->listen_fds[i] < 0 && app->sockets[i].type == inherited->type &&
			    app->sockets[i].port == inherited->port) {
				app->listen_fds[i] = fd;
				debug_message("socket passed as fd %d goes to app \"%s\" (%s %u)", fd, app->name,
					      protocol_name(inherited->type), inherited->port);
				return true;
			}
		}
	}
	return false;
}

void adopt_inherited_sockets(struct pod *pod)
{
	int count = take_inherited_socket_count();

	for (int fd = FIRST_LISTEN_FD; fd < FIRST_LISTEN_FD + count; fd++) {
		struct socket_port inherited;

		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
			die_errno("socket activation", format_string("descriptor %d of LISTEN_FDS=%d", fd, count));
		if (!inherited_socket_port(fd, &inherited)) {
			warn_message("socket activation: descriptor %d is not an IPv4 or IPv6 socket, closing it", fd);
			close(fd);
		} else if (!hand_to_app(pod, fd, &inherited)) {
			warn_message("socket activation: no app has a socket-activated %s port %u for descriptor %d, "
				     "closing it",
				     protocol_name(inherited.type), inherited.port, fd);
			close(fd);
		}
	}
}

static int bind_socket(int family, const struct socket_port *port)
{
	int fd = socket(family, port->type | SOCK_CLOEXEC, 0);
	int on = 1, off = 0;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
		die_errno("setsockopt SO_REUSEADDR", NULL);
	if (family == AF_INET6) {
		struct sockaddr_in6 address = { .sin6_family = AF_INET6,
						.sin6_port = htons(port->port),
						.sin6_addr = in6addr_any };
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0)
			die_errno("setsockopt IPV6_V6ONLY", NULL);
		if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0)
			goto failed;
	} else {
		struct sockaddr_in address = { .sin_family = AF_INET,
					       .sin_port = htons(port->port),
					       .sin_addr = { .s_addr = htonl(INADDR_ANY) } };
		if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0)
			goto failed;
	}
	if (port->type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)
		goto failed;
	return fd;
failed:
	close(fd);
	return -1;
}

void open_app_sockets(struct app *app)
{
	for (size_t i = 0; i < app->socket_count; i++) {
		if (app->listen_fds[i] >= 0)
			continue; /* handed through from the host */
		int fd = bind_socket(AF_INET6, &app->sockets[i]);
		if (fd < 0 && errno == EAFNOSUPPORT)
			fd = bind_socket(AF_INET, &app->sockets[i]);
		if (fd < 0)
			die_errno("listen on port",
				  format_string("%u for app \"%s\"", app->sockets[i].port, app->name));
		app->listen_fds[i] = fd;
	}
}

/* Drops variables of the protocol the app's environment file may carry (an image's or a
 * user's), so that the ones set below are the only ones. */
static void remove_activation_variables(char **environment)
{
	size_t kept = 0;

	for (size_t i = 0; environment[i] != NULL; i++) {
		bool activation = false;
		for (size_t v = 0; v < ACTIVATION_VARIABLE_COUNT; v++) {
			size_t length = strlen(activation_variables[v]);
			if (strncmp(environment[i], activation_variables[v], length) == 0 &&
			    environment[i][length] == '=')
				activation = true;
		}
		if (!activation)
			environment[kept++] = environment[i];
	}
	environment[kept] = NULL;
}

void pass_app_sockets(const struct app *app, char **environment)
{
	int lowest_free = FIRST_LISTEN_FD + (int)app->socket_count;
	int *moved = xcalloc(app->socket_count, sizeof *moved);

	if (app->socket_count == 0)
		return;
	/* First out of the way of 3..3+n, then down, so no descriptor overwrites another. */
	for (size_t i = 0; i < app->socket_count; i++) {
		moved[i] = fcntl(app->listen_fds[i], F_DUPFD_CLOEXEC, lowest_free);
		if (moved[i] < 0)
			die_errno("dup", "listening socket");
	}
	for (size_t i = 0; i < app->socket_count; i++)
		if (dup2(moved[i], FIRST_LISTEN_FD + (int)i) < 0)
			die_errno("dup2", "listening socket");
	remove_activation_variables(environment);
	add_environment(environment, "LISTEN_FDS", format_string("%zu", app->socket_count));
	add_environment(environment, "LISTEN_PID", format_string("%d", (int)getpid()));
}
