/* Run as an app by test/e2e/devices.test.ts: tries what an app may or may not do with device
 * nodes and prints one line per argument, `ARG=ok` or `ARG=ERRNO-NAME`, so that the device
 * policy's refusal (EPERM) can be told from a node's own (ENXIO from a tty without one).
 *   r:PATH, w:PATH, rw:PATH   open PATH for reading, writing, or both
 *   pts                        open a new pseudo terminal's slave, as a terminal program does
 *   mknod:PATH:MAJOR:MINOR     make a character device node */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int open_mode(const char *mode)
{
	return strcmp(mode, "r") == 0 ? O_RDONLY : strcmp(mode, "w") == 0 ? O_WRONLY : O_RDWR;
}

static int try_open(const char *path, int flags)
{
	int fd = open(path, flags | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int try_pts(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);

	if (master < 0 || unlockpt(master) < 0)
		return -1;
	return try_open(ptsname(master), O_RDWR);
}

static int malformed(void)
{
	errno = EINVAL;
	return -1;
}

static int try_argument(char *argument)
{
	char *colon = strchr(argument, ':');

	if (strcmp(argument, "pts") == 0)
		return try_pts();
	if (colon == NULL)
		return malformed();
	*colon = '\0';
	if (strcmp(argument, "mknod") == 0) {
		char *path = colon + 1;
		char *major_text = strchr(path, ':');
		char *minor_text = major_text ? strchr(major_text + 1, ':') : NULL;
		if (minor_text == NULL)
			return malformed();
		*major_text = *minor_text = '\0';
		return mknod(path, S_IFCHR | 0666, makedev(atoi(major_text + 1), atoi(minor_text + 1)));
	}
	return try_open(colon + 1, open_mode(argument));
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *label = strdup(argv[i]);
		int result = try_argument(argv[i]);
		printf("%s=%s\n", label, result == 0 ? "ok" : strerrorname_np(errno));
		free(label);
	}
	return 0;
}
