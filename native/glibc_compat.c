/* Syscall wrappers for libc functions that glibc 2.17 did not export under these names
 * (fstat, fstatat and mknodat were inline wrappers over __fxstat* until 2.33; statx,
 * copy_file_range and getrandom came in 2.28, 2.27 and 2.25). Defined here with hidden
 * visibility, they take the place of libc's in this library, so nothing of it needs a
 * glibc newer than 2.17. The kernel's struct stat is glibc's on x86-64 and aarch64. */
#define _GNU_SOURCE
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

int fstat(int fd, struct stat *st)
{
	return (int)syscall(SYS_fstat, fd, st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return (int)syscall(SYS_newfstatat, dirfd, path, st, flags);
}

int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	return (int)syscall(SYS_mknodat, dirfd, path, mode, dev);
}

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)
{
	return (int)syscall(SYS_statx, dirfd, path, flags, mask, buf);
}

ssize_t copy_file_range(int in_fd, loff_t *in_off, int out_fd, loff_t *out_off, size_t len, unsigned int flags)
{
	return syscall(SYS_copy_file_range, in_fd, in_off, out_fd, out_off, len, flags);
}

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	return syscall(SYS_getrandom, buf, len, flags);
}
