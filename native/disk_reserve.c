#include "disk_reserve.h"

#include <errno.h>
#include <sys/statvfs.h>

static uint64_t reserve_of(const struct statvfs *vfs)
{
	uint64_t reserve = (uint64_t)vfs->f_blocks * vfs->f_frsize / 100 * DISK_RESERVE_PERCENT;
	if (reserve < DISK_RESERVE_MIN)
		return DISK_RESERVE_MIN;
	if (reserve > DISK_RESERVE_MAX)
		return DISK_RESERVE_MAX;
	return reserve;
}

int disk_reserve_check(int fd, uint64_t need, const char *op, const char *object, struct rkt_error *err)
{
	struct statvfs vfs;
	if (fstatvfs(fd, &vfs) < 0)
		return rkt_fail_sys(err, "statvfs", object, errno);
	uint64_t available = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	uint64_t reserve = reserve_of(&vfs);
	if (available >= reserve && available - reserve >= need)
		return 0;
	return rkt_fail(err, op, object,
			"stopped before the store's filesystem is full (%llu MiB free, %llu MiB kept in reserve); "
			"free space or remove images with rkt image rm",
			(unsigned long long)(available >> 20), (unsigned long long)(reserve >> 20));
}
