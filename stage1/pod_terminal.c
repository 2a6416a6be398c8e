#include "pod_terminal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "mounts.h"
#include "text.h"

void open_pod_terminal(const char *stage1_root, struct pod_terminal *terminal)
{
	char *multiplexer = format_string("%s/dev/pts/ptmx", stage1_root);
	int unlock = 0;
	unsigned int number;
	struct winsize size;

	terminal->master_fd = open(multiplexer, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (terminal->master_fd < 0)
		die_errno("open", multiplexer);
	if (ioctl(terminal->master_fd, TIOCSPTLCK, &unlock) < 0 || ioctl(terminal->master_fd, TIOCGPTN, &number) < 0)
		die_errno("unlock the pod terminal", multiplexer);
	terminal->slave_fd = ioctl(terminal->master_fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (terminal->slave_fd < 0)
		die_errno("open the slave of", multiplexer);
	/* The relay follows later resizes; the app must see the right size from its start. */
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0 && ioctl(terminal->master_fd, TIOCSWINSZ, &size) < 0)
		warn_errno("set the size of", "the pod terminal");
	mount_or_die(format_string("%s/dev/pts/%u", stage1_root, number), format_string("%s/dev/console", stage1_root),
		     NULL, MS_BIND, NULL);
	debug_message("pod terminal: /dev/pts/%u", number);
	free(multiplexer);
}

void take_pod_terminal(int slave_fd)
{
	if (setsid() < 0)
		die_errno("setsid", NULL);
	if (ioctl(slave_fd, TIOCSCTTY, 0) < 0)
		die_errno("take as controlling terminal", "the pod terminal");
	if (dup2(slave_fd, STDIN_FILENO) < 0 || dup2(slave_fd, STDOUT_FILENO) < 0 || dup2(slave_fd, STDERR_FILENO) < 0)
		die_errno("dup2", "the pod terminal");
}
