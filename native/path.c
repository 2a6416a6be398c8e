#include "path.h"

#include <stdio.h>
#include <string.h>

enum path_clean_result path_clean(const char *in, char *out, size_t out_size, int *was_absolute)
{
	size_t len = 0;
	*was_absolute = in[0] == '/';
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		const char *start = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - start);
		if (n == 0 || (n == 1 && start[0] == '.'))
			continue;
		if (n == 2 && start[0] == '.' && start[1] == '.') {
			if (len == 0)
				return PATH_CLEAN_ESCAPES;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* the separator before the dropped component */
			continue;
		}
		if (len + (len > 0) + n + 1 > out_size)
			return PATH_CLEAN_TOO_LONG;
		if (len > 0)
			out[len++] = '/';
		memcpy(out + len, start, n);
		len += n;
	}
	if (out_size == 0)
		return PATH_CLEAN_TOO_LONG;
	out[len] = '\0';
	return PATH_CLEAN_OK;
}

int path_join(char *out, size_t out_size, const char *base, const char *name)
{
	int n = !name[0]   ? snprintf(out, out_size, "%s", base)
		: !base[0] ? snprintf(out, out_size, "%s", name)
			   : snprintf(out, out_size, "%s/%s", base, name);
	return n < 0 || (size_t)n >= out_size ? -1 : 0;
}

const char *path_strip_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(path, prefix, n) != 0)
		return NULL;
	if (path[n] == '\0')
		return path + n;
	if (path[n] == '/')
		return path + n + 1;
	return NULL;
}
