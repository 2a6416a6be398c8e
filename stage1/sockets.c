#include "sockets.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "exec_app.h"
#include "files.h"

#define FIRST_LISTEN_FD 3

static int bind_socket(int family, const struct socket_port *port)
{
	int fd = socket(family, port->type | SOCK_CLOEXEC, 0);
	int on = 1, off = 0;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
		die_errno("setsockopt SO_REUSEADDR", NULL);
	if (family == AF_INET6) {
		struct sockaddr_in6 address = { .sin6_family = AF_INET6, .sin6_port = htons(port->port),
						.sin6_addr = in6addr_any };
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0)
			die_errno("setsockopt IPV6_V6ONLY", NULL);
		if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0)
			goto failed;
	} else {
		struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port->port),
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
		int fd = bind_socket(AF_INET6, &app->sockets[i]);
		if (fd < 0 && errno == EAFNOSUPPORT)
			fd = bind_socket(AF_INET, &app->sockets[i]);
		if (fd < 0)
			die_errno("listen on port", format_string("%u for app \"%s\"", app->sockets[i].port, app->name));
		app->listen_fds[i] = fd;
	}
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
	add_environment(environment, "LISTEN_FDS", format_string("%zu", app->socket_count));
	add_environment(environment, "LISTEN_PID", format_string("%d", (int)getpid()));
}
