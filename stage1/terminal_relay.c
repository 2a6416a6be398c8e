#include "terminal_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "files.h"
#include "signal_fd.h"

#define ESCAPE_BYTE 0x1d /* ^] */
#define ESCAPE_PRESSES 3
#define ESCAPE_WINDOW_MS 1000
#define INPUT_CHUNK 4096

struct relay {
	int master_fd;
	pid_t pod_pid1;
	int log_fd;
	int signal_fd; /* SIGCHLD and SIGWINCH */
	bool input_open; /* rkt's terminal can still be read */
	bool escaped;
	/* Typed bytes not yet taken by the pod terminal; room for a chunk and the ^] held back. */
	char input[2 * INPUT_CHUNK];
	size_t input_length;
	int held_escapes; /* ^] typed within the window, not passed on (yet) */
	struct timespec first_escape;
};

static struct termios saved_mode;
static bool mode_changed = false;

static void restore_terminal_mode(void)
{
	if (mode_changed && tcsetattr(STDIN_FILENO, TCSANOW, &saved_mode) < 0)
		debug_message("restore the terminal mode: %s", strerror(errno));
	mode_changed = false;
}

static void enter_raw_mode(void)
{
	struct termios raw;

	/* A background rkt run may change its terminal's mode without being stopped. */
	signal(SIGTTOU, SIG_IGN);
	if (tcgetattr(STDIN_FILENO, &saved_mode) < 0)
		die_errno("read the mode of", "the terminal");
	raw = saved_mode;
	cfmakeraw(&raw);
	error_set_cleanup(restore_terminal_mode);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
		die_errno("set raw mode on", "the terminal");
	mode_changed = true;
}

static void copy_terminal_size(const struct relay *relay)
{
	struct winsize size;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0 && ioctl(relay->master_fd, TIOCSWINSZ, &size) < 0)
		debug_message("resize the pod terminal: %s", strerror(errno));
}

static bool pod_exited(pid_t pod_pid1)
{
	siginfo_t info = { .si_pid = 0 };

	if (waitid(P_PID, (id_t)pod_pid1, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno != EINTR)
		die_errno("waitid", "pod");
	return info.si_pid != 0;
}

static void handle_signals(const struct relay *relay)
{
	struct signalfd_siginfo info;

	while (read(relay->signal_fd, &info, sizeof info) == sizeof info)
		if (info.ssi_signo == SIGWINCH)
			copy_terminal_size(relay);
	/* SIGCHLD needs nothing: the loop checks whether the pod ended. */
}

/* Passes on what the app's terminal shows; false once nothing is there. */
static bool pass_output(const struct relay *relay)
{
	char buffer[65536];
	ssize_t got = read(relay->master_fd, buffer, sizeof buffer);

	if (got < 0 && errno == EINTR)
		return true;
	if (got <= 0)
		return false; /* EAGAIN; EIO once no process of the pod has the terminal open */
	if (!write_all(STDOUT_FILENO, buffer, (size_t)got))
		debug_message("output lost: %s", strerror(errno));
	if (!write_all(relay->log_fd, buffer, (size_t)got))
		warn_errno("write", "app log");
	return true;
}

static void pass_input(struct relay *relay)
{
	ssize_t written = write(relay->master_fd, relay->input, relay->input_length);

	if (written < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		debug_message("input lost: %s", strerror(errno));
		written = (ssize_t)relay->input_length;
	}
	relay->input_length -= (size_t)written;
	memmove(relay->input, relay->input + written, relay->input_length);
}

static void queue_input(struct relay *relay, const char *bytes, size_t length)
{
	memcpy(relay->input + relay->input_length, bytes, length);
	relay->input_length += length;
}

static long long milliseconds_since(const struct timespec *then)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		die_errno("clock_gettime", NULL);
	return (now.tv_sec - then->tv_sec) * 1000LL + (now.tv_nsec - then->tv_nsec) / 1000000;
}

/* ^] held back turn out to be typed keys after all: the app gets them. */
static void release_held_escapes(struct relay *relay)
{
	static const char escapes[ESCAPE_PRESSES] = { ESCAPE_BYTE, ESCAPE_BYTE, ESCAPE_BYTE };

	queue_input(relay, escapes, (size_t)relay->held_escapes);
	relay->held_escapes = 0;
}

static void escape(struct relay *relay)
{
	debug_message("^] pressed %d times within a second: killing the pod", ESCAPE_PRESSES);
	relay->escaped = true;
	relay->held_escapes = 0;
	if (kill(relay->pod_pid1, SIGKILL) < 0 && errno != ESRCH)
		warn_errno("kill", "the pod");
}

static void take_typed_bytes(struct relay *relay, const char *bytes, size_t length)
{
	for (size_t i = 0; i < length && !relay->escaped; i++) {
		if (bytes[i] != ESCAPE_BYTE) {
			release_held_escapes(relay);
			queue_input(relay, bytes + i, 1);
			continue;
		}
		if (relay->held_escapes > 0 && milliseconds_since(&relay->first_escape) > ESCAPE_WINDOW_MS)
			release_held_escapes(relay);
		if (relay->held_escapes == 0 && clock_gettime(CLOCK_MONOTONIC, &relay->first_escape) < 0)
			die_errno("clock_gettime", NULL);
		if (++relay->held_escapes == ESCAPE_PRESSES)
			escape(relay);
	}
}

static void read_typed_bytes(struct relay *relay)
{
	char buffer[INPUT_CHUNK];
	ssize_t got = read(STDIN_FILENO, buffer, sizeof buffer);

	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (got <= 0) {
		/* Hung up: SIGHUP (forwarded to the pod) follows; the output goes on. */
		relay->input_open = false;
		return;
	}
	take_typed_bytes(relay, buffer, (size_t)got);
}

/* Until the escape window of held ^] ends, at which they go to the app. */
static int poll_timeout(const struct relay *relay)
{
	if (relay->held_escapes == 0)
		return -1;
	long long left = ESCAPE_WINDOW_MS - milliseconds_since(&relay->first_escape);
	return left > 0 ? (int)left + 1 : 0;
}

static void relay_once(struct relay *relay)
{
	struct pollfd fds[3] = {
		{ .fd = relay->signal_fd, .events = POLLIN },
		{ .fd = relay->master_fd, .events = POLLIN | (relay->input_length > 0 ? POLLOUT : 0) },
		/* Typed bytes are read only when the pod terminal took the last ones. */
		{ .fd = relay->input_open && !relay->escaped && relay->input_length == 0 ? STDIN_FILENO : -1,
		  .events = POLLIN },
	};

	if (poll(fds, 3, poll_timeout(relay)) < 0) {
		if (errno == EINTR)
			return;
		die_errno("poll", "the terminals");
	}
	if (fds[0].revents & POLLIN)
		handle_signals(relay);
	if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
		pass_output(relay);
	if (fds[1].revents & POLLOUT)
		pass_input(relay);
	if (fds[2].revents & (POLLIN | POLLHUP | POLLERR))
		read_typed_bytes(relay);
	if (relay->held_escapes > 0 && milliseconds_since(&relay->first_escape) > ESCAPE_WINDOW_MS)
		release_held_escapes(relay);
}

void relay_pod_terminal(int master_fd, pid_t pod_pid1, int log_fd)
{
	struct relay relay = {
		.master_fd = master_fd,
		.pod_pid1 = pod_pid1,
		.log_fd = log_fd,
		.signal_fd = open_signal_fd((const int[]){ SIGCHLD, SIGWINCH, 0 }),
		.input_open = true,
	};

	if (fcntl(master_fd, F_SETFL, O_NONBLOCK) < 0)
		die_errno("fcntl", "the pod terminal");
	enter_raw_mode();
	copy_terminal_size(&relay);
	while (!pod_exited(pod_pid1))
		relay_once(&relay);
	/* What the app wrote last is still in the terminal's buffer. */
	while (pass_output(&relay))
		;
	restore_terminal_mode();
	error_set_cleanup(NULL);
	close(relay.signal_fd);
	close(master_fd);
}
