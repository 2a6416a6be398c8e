#define _GNU_SOURCE
#include "fsmeta.h"

#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define ID_RANGE 65536

int id_shift_apply(const struct id_shift *shift, int64_t *uid, int64_t *gid, const char *path, struct rkt_error *err)
{
	if (!shift->enabled)
		return 0;
	if (*uid >= ID_RANGE || *gid >= ID_RANGE || *uid < 0 || *gid < 0)
		return rkt_fail(err, "shift owner of", path, "uid %lld or gid %lld are out of range %d",
				(long long)*uid, (long long)*gid, ID_RANGE);
	*uid += shift->shift;
	*gid += shift->shift;
	return 0;
}

bool fsmeta_can_chown(void)
{
	return geteuid() == 0;
}

mode_t fsmeta_umask(void)
{
	static int cached = -1;
	if (cached >= 0)
		return (mode_t)cached;
	/* /proc/self/status has it; calling umask() would change it for a moment under
     * the other threads of the process. */
	FILE *f = fopen("/proc/self/status", "re");
	unsigned value = 022;
	if (f) {
		char line[256];
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "Umask: %o", &value) == 1)
				break;
		fclose(f);
	}
	cached = (int)value;
	return (mode_t)value;
}

static void proc_path(char *out, size_t size, int dirfd, const char *name)
{
	snprintf(out, size, "/proc/self/fd/%d/%s", dirfd, name);
}

/* Whether an image may set this xattr. `trusted.*` steers the host (overlayfs acts on
 * `trusted.overlay.*` of a lower layer) and `security.selinux` labels belong to the host's
 * policy: both are dropped. File capabilities are kept in their global form (v1, v2): at
 * exec the kernel grants only those within the pod's bounding set (and refuses to run a
 * capability-aware file that asks for more); v3 ones name a user namespace root of the
 * host's choosing and are dropped. */
bool fsmeta_image_may_set_xattr(const char *name, size_t len)
{
	if (strncmp(name, "trusted.", strlen("trusted.")) == 0)
		return false;
	if (strcmp(name, "security.selinux") == 0)
		return false;
	if (strcmp(name, "security.capability") == 0)
		return len == XATTR_CAPS_SZ_1 || len == XATTR_CAPS_SZ_2;
	return true;
}

int fsmeta_set_xattr(int fd, int dirfd, const char *name, const char *key, const void *value, size_t len)
{
	if (fd >= 0)
		return fsetxattr(fd, key, value, len, 0);
	/* Symlinks and device nodes have no usable fd: name them through the parent's fd, whose
     * /proc link the kernel resolves itself; lsetxattr does not follow the last component. */
	char path[64 + NAME_MAX];
	proc_path(path, sizeof path, dirfd, name);
	return lsetxattr(path, key, value, len, 0);
}

int fsmeta_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int copy_by_read(int in_fd, off_t *in_off, int out_fd, uint64_t len)
{
	static __thread char *buf;
	enum { BUF_SIZE = 1 << 20 };
	if (!buf && !(buf = malloc(BUF_SIZE)))
		return errno = ENOMEM, -1;
	while (len > 0) {
		ssize_t n = pread(in_fd, buf, len < BUF_SIZE ? len : BUF_SIZE, *in_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return errno = EIO, -1;
		if (fsmeta_write_all(out_fd, buf, (size_t)n) < 0)
			return -1;
		*in_off += n;
		len -= (uint64_t)n;
	}
	return 0;
}

int fsmeta_copy_range(int in_fd, off_t *in_off, int out_fd, uint64_t len)
{
	while (len > 0) {
		ssize_t n = copy_file_range(in_fd, in_off, out_fd, NULL, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP))
			return copy_by_read(in_fd, in_off, out_fd, len);
		if (n < 0)
			return -1;
		if (n == 0)
			return errno = EIO, -1;
		len -= (uint64_t)n;
	}
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int xattr_set_read(struct xattr_set *set, int fd, int dirfd, const char *name)
{
	memset(set, 0, sizeof *set);
	char path[64 + NAME_MAX];
	if (fd < 0)
		proc_path(path, sizeof path, dirfd, name);
	for (;;) {
		ssize_t size = fd >= 0 ? flistxattr(fd, NULL, 0) : llistxattr(path, NULL, 0);
		if (size < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
			return 0;
		if (size <= 0)
			return (int)size;
		free(set->name_buf);
		if (!(set->name_buf = malloc((size_t)size)))
			return errno = ENOMEM, -1;
		ssize_t got = fd >= 0 ? flistxattr(fd, set->name_buf, (size_t)size)
				      : llistxattr(path, set->name_buf, (size_t)size);
		if (got < 0 && errno == ERANGE)
			continue; /* grew meanwhile */
		if (got < 0)
			return -1;
		size_t count = 0;
		for (ssize_t i = 0; i < got; i++)
			count += set->name_buf[i] == '\0';
		set->names = calloc(count, sizeof *set->names);
		set->values = calloc(count, sizeof *set->values);
		set->lens = calloc(count, sizeof *set->lens);
		if (!set->names || !set->values || !set->lens)
			return errno = ENOMEM, -1;
		for (char *p = set->name_buf; p < set->name_buf + got; p += strlen(p) + 1)
			set->names[set->count++] = p;
		qsort(set->names, set->count, sizeof *set->names, compare_names);
		break;
	}
	for (size_t i = 0; i < set->count; i++) {
		const char *key = set->names[i];
		ssize_t len = fd >= 0 ? fgetxattr(fd, key, NULL, 0) : lgetxattr(path, key, NULL, 0);
		if (len < 0)
			return -1;
		if (!(set->values[i] = malloc((size_t)len + 1)))
			return errno = ENOMEM, -1;
		len = fd >= 0 ? fgetxattr(fd, key, set->values[i], (size_t)len)
			      : lgetxattr(path, key, set->values[i], (size_t)len);
		if (len < 0)
			return -1;
		set->lens[i] = (size_t)len;
	}
	return 0;
}

void xattr_set_free(struct xattr_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->values)
			free(set->values[i]);
	free(set->names);
	free(set->values);
	free(set->lens);
	free(set->name_buf);
	memset(set, 0, sizeof *set);
}
