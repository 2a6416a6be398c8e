#include "signal_fd.h"

#include <signal.h>
#include <sys/signalfd.h>

#include "error.h"

int open_signal_fd(const int *signals)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	for (const int *signal = signals; *signal != 0; signal++)
		sigaddset(&set, *signal);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die_errno("block signals", NULL);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		die_errno("signalfd", NULL);
	return fd;
}
