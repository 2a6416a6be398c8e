/* The exclusive flock(2) locks of the whole system, from /proc/locks.
 *
 * The table may say "maybe locked" wrongly (a caller then tests the lock itself), but never
 * "unlocked" wrongly: it is complete only where the kernel shows every lock. locks_show()
 * (fs/locks.c) leaves out locks whose owner has no PID in the PID namespace of the /proc
 * mount, so the table is trusted only when that is the initial namespace; kernels from 4.14
 * until a 2018 fix also left out locks whose owner had exited, so it is trusted from 4.18 on.
 * The inode number printed is the VFS inode's, which readdir gives as d_ino (and stat as
 * st_ino) on the filesystems listed in lock_table_covers_filesystem, and only there. And
 * the file must come in one read (proc_file_read_snapshot): the kernel gives it a page a
 * read, walking its list again for each, so the line of a lock held throughout can fall
 * between two pages when other locks are dropped meanwhile. With more locks than a page
 * shows (some sixty), every pod is test-locked. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>

#include "lock_table.h"
#include "proc_file.h"

/* include/linux/proc_ns.h: the fixed inode number of the initial PID namespace. */
#define PROC_PID_INIT_INO 0xEFFFFFFCU

static int in_initial_pid_namespace(void)
{
	struct stat st;
	return fstatat(AT_FDCWD, "/proc/self/ns/pid", &st, 0) == 0 && st.st_ino == PROC_PID_INIT_INO;
}

static int kernel_shows_locks_of_exited_owners(void)
{
	struct utsname u;
	unsigned major = 0, minor = 0;
	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return 0;
	return major > 4 || (major == 4 && minor >= 18);
}

static int compare_inodes(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Adds the inode of each exclusive flock line ("1: FLOCK  ADVISORY  WRITE PID MAJ:MIN:INO 0 EOF");
 * lines of blocked waiters ("->") hold nothing. Returns 0, or -1 for a FLOCK line it cannot read. */
static int collect_exclusive_flocks(struct lock_table *table, char *text)
{
	size_t lines = 1;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	table->inodes = malloc(lines * sizeof *table->inodes);
	if (!table->inodes)
		return -1;
	for (char *line = text, *end; *line; line = end) {
		end = strchrnul(line, '\n');
		if (*end)
			*end++ = '\0';
		if (!strstr(line, " FLOCK ") || strstr(line, "->"))
			continue;
		char type[16];
		unsigned major, minor;
		unsigned long long ino;
		if (sscanf(line, "%*[^:]: FLOCK %*s %15s %*d %x:%x:%llu", type, &major, &minor, &ino) != 4)
			return -1;
		if (strcmp(type, "WRITE") == 0)
			table->inodes[table->count++] = ino;
	}
	qsort(table->inodes, table->count, sizeof *table->inodes, compare_inodes);
	return 0;
}

void lock_table_read(struct lock_table *table)
{
	*table = (struct lock_table){ 0 };
	if (!in_initial_pid_namespace() || !kernel_shows_locks_of_exited_owners())
		return;
	char *text = proc_file_read_snapshot("/proc/locks");
	if (!text)
		return;
	table->complete = collect_exclusive_flocks(table, text) == 0;
	free(text);
}

int lock_table_has(const struct lock_table *table, uint64_t ino)
{
	return table->count > 0 && bsearch(&ino, table->inodes, table->count, sizeof ino, compare_inodes) != NULL;
}

int lock_table_covers_filesystem(int fd)
{
	struct statfs fs;
	if (fstatfs(fd, &fs) < 0)
		return 0;
	switch ((unsigned long)fs.f_type) {
	case EXT4_SUPER_MAGIC: /* also ext2 and ext3 */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case TMPFS_MAGIC:
		return 1;
	default:
		return 0;
	}
}

void lock_table_free(struct lock_table *table)
{
	free(table->inodes);
	*table = (struct lock_table){ 0 };
}
