/* Mount points directly inside a directory, from /proc/self/mountinfo: its fifth field is the
 * mount point, with space, tab, newline and backslash written as \ooo octal escapes. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mount_points.h"

/* Copies the escaped field at `p` (up to a space or the line's end) into `out`; returns its end. */
static const char *unescape_field(const char *p, char *out, size_t size, int *too_long)
{
	size_t n = 0;
	while (*p && *p != ' ' && *p != '\n') {
		char c = *p++;
		if (c == '\\' && p[0] >= '0' && p[0] <= '7' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' &&
		    p[2] <= '7') {
			c = (char)((p[0] - '0') << 6 | (p[1] - '0') << 3 | (p[2] - '0'));
			p += 3;
		}
		if (n + 1 < size)
			out[n++] = c;
		else
			*too_long = 1;
	}
	out[n] = '\0';
	return p;
}

/* Whether `mount_point` is `dir`/NAME for some NAME without a slash. */
static int is_entry_of(const char *mount_point, const char *dir)
{
	size_t len = strlen(dir);
	if (strncmp(mount_point, dir, len) != 0)
		return 0;
	const char *rest = mount_point + len;
	if (len > 1)
		rest = *rest == '/' ? rest + 1 : NULL;
	return rest && *rest && !strchr(rest, '/');
}

int nothing_mounted_on_entries(const char *mountinfo, int dir_fd)
{
	char link[64], dir[PATH_MAX];
	snprintf(link, sizeof link, "/proc/self/fd/%d", dir_fd);
	ssize_t len = readlink(link, dir, sizeof dir - 1);
	if (!mountinfo || len <= 0 || (size_t)len >= sizeof dir - 1 || dir[0] != '/')
		return 0;
	dir[len] = '\0';
	for (const char *line = mountinfo; *line;) {
		const char *p = line;
		for (int field = 0; field < 4 && p; field++) {
			p = strchr(p, ' ');
			p = p ? p + 1 : NULL;
		}
		if (!p)
			return 0;
		char mount_point[PATH_MAX];
		int too_long = 0;
		p = unescape_field(p, mount_point, sizeof mount_point, &too_long);
		if (too_long || is_entry_of(mount_point, dir))
			return 0;
		const char *end = strchr(p, '\n');
		line = end ? end + 1 : p + strlen(p);
	}
	return 1;
}
