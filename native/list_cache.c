/* The list cache, `pods/list-cache`: prepare appends a record of the pod's list summary, keyed
 * by its UUID and the inode of its directory; `rkt list` reads the file once instead of one
 * `list-summary` per pod. A summary never changes after prepare and the renames between state
 * directories keep the inode, so a record holds for the pod's life; a copy of a pod directory,
 * or a new pod that reuses a removed one's inode under another UUID, matches no record.
 *
 * The cache is an optimisation, never the truth: a pod that matches no record is read from
 * its own files, so a missing, stale, truncated or corrupt cache lists exactly the same. Its
 * records, back to back, in host byte order (the file describes this machine's directories):
 *   "rlc1" | u32 summary length | u64 inode | the UUID, NUL-padded to 40 bytes | summary
 *   | u64 FNV-1a of all the record's bytes before it
 * are taken from the start up to the first that does not check: the tail of an append cut
 * short (a full disk, a power loss) and whatever follows it are ignored until `rkt gc`
 * rewrites the file with the records of the pods that remain. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlist.h"
#include "list_cache.h"
#include "path.h"
#include "prefault.h"
#include "rkt_native.h"

#define LIST_CACHE_FILE "list-cache"
/* Some 60000 pods of one app: a larger cache is not read by `rkt list`, only its start by gc. */
#define LIST_CACHE_MAX (16 << 20)
#define MAGIC "rlc1"
#define NAME_FIELD 40
#define HEADER_LEN (4 + 4 + 8 + NAME_FIELD)
#define CHECKSUM_LEN 8

static uint64_t fnv1a(const unsigned char *bytes, size_t n)
{
	uint64_t hash = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
	return hash;
}

static int cache_path(char *out, size_t size, const char *pods_dir)
{
	return path_join(out, size, pods_dir, LIST_CACHE_FILE);
}

/* Up to `max` bytes of the file at `path` into a new buffer; *len is its length, or max + 1
 * for a longer file (of which max bytes are read). NULL when the file cannot be read. */
static unsigned char *read_bounded(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	unsigned char *data = NULL;
	if (fstat(fd, &st) == 0 && st.st_size >= 0) {
		size_t want = (size_t)st.st_size < max ? (size_t)st.st_size : max;
		data = malloc(want ? want : 1);
		if (data)
			prefault(data, want);
		size_t got = 0;
		while (data && got < want) {
			ssize_t n = read(fd, data + got, want - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) /* an error, or a file cut while read: what was read is all there is */
				break;
			got += (size_t)n;
		}
		*len = (size_t)st.st_size > max ? max + 1 : got;
	}
	close(fd);
	return data;
}

/* The length of the valid record at the start of `bytes` (`n` of them), filling `r`; 0 for none. */
static size_t parse_record(const unsigned char *bytes, size_t n, struct list_cache_record *r)
{
	if (n < HEADER_LEN + CHECKSUM_LEN || memcmp(bytes, MAGIC, 4) != 0)
		return 0;
	uint32_t summary_len;
	memcpy(&summary_len, bytes + 4, 4);
	if (summary_len >= LIST_SUMMARY_MAX || summary_len > n - HEADER_LEN - CHECKSUM_LEN)
		return 0;
	const char *name = (const char *)bytes + 16;
	if (name[0] == '\0' || !memchr(name, '\0', NAME_FIELD))
		return 0;
	size_t len = HEADER_LEN + summary_len + CHECKSUM_LEN;
	uint64_t checksum;
	memcpy(&checksum, bytes + len - CHECKSUM_LEN, CHECKSUM_LEN);
	if (checksum != fnv1a(bytes, len - CHECKSUM_LEN))
		return 0;
	memcpy(&r->inode, bytes + 8, 8);
	r->name = name;
	r->summary = bytes + HEADER_LEN;
	r->summary_len = summary_len;
	r->bytes = bytes;
	r->len = len;
	return len;
}

static int compare_key(const char *name, uint64_t inode, const struct list_cache_record *r)
{
	int c = strcmp(name, r->name);
	return c ? c : (inode > r->inode) - (inode < r->inode);
}

static int compare_records(const void *a, const void *b)
{
	const struct list_cache_record *x = a, *y = b;
	int c = compare_key(x->name, x->inode, y);
	/* The earlier of two records of one pod first, so that the lookup finds it. */
	return c ? c : (x->bytes > y->bytes) - (x->bytes < y->bytes);
}

void list_cache_read(struct list_cache *cache, const char *pods_dir, int take_prefix)
{
	*cache = (struct list_cache){ 0 };
	char path[4096];
	size_t len = 0;
	if (cache_path(path, sizeof path, pods_dir) < 0)
		return;
	cache->data = read_bounded(path, LIST_CACHE_MAX, &len);
	cache->len = len;
	if (!cache->data || (len > LIST_CACHE_MAX && !take_prefix))
		return;
	if (len > LIST_CACHE_MAX)
		len = LIST_CACHE_MAX;
	/* A record takes at least HEADER_LEN + CHECKSUM_LEN bytes: that many slots are enough. */
	cache->records = malloc((len / (HEADER_LEN + CHECKSUM_LEN) + 1) * sizeof *cache->records);
	if (!cache->records) { /* as a cache that cannot be read: gc leaves it for its next run */
		list_cache_free(cache);
		return;
	}
	size_t at = 0, taken;
	while ((taken = parse_record(cache->data + at, len - at, &cache->records[cache->count])) > 0)
		at += taken, cache->count++;
	qsort(cache->records, cache->count, sizeof *cache->records, compare_records);
}

const struct list_cache_record *list_cache_find(const struct list_cache *cache, const char *name, uint64_t inode)
{
	size_t lo = 0, hi = cache->count;
	while (lo < hi) { /* the first record not below the key */
		size_t mid = lo + (hi - lo) / 2;
		if (compare_key(name, inode, &cache->records[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < cache->count && compare_key(name, inode, &cache->records[lo]) == 0)
		return &cache->records[lo];
	return NULL;
}

void list_cache_free(struct list_cache *cache)
{
	free(cache->records);
	free(cache->data);
	*cache = (struct list_cache){ 0 };
}

/* All of `n` bytes to `fd`; returns 0 or an errno (EIO for a write that stopped short). */
static int write_all(int fd, const unsigned char *bytes, size_t n)
{
	while (n > 0) {
		ssize_t done = write(fd, bytes, n);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return errno;
		if (done == 0)
			return EIO;
		bytes += done, n -= (size_t)done;
	}
	return 0;
}

int rkt_list_cache_append(const char *pods_dir, const char *pod_dir, const uint8_t *summary, int64_t summary_len,
			  struct rkt_error *err)
{
	const char *slash = strrchr(pod_dir, '/');
	const char *name = slash ? slash + 1 : pod_dir;
	if (strlen(name) >= NAME_FIELD || summary_len < 0 || summary_len >= LIST_SUMMARY_MAX)
		return rkt_fail_sys(err, "append to list cache", pod_dir, EINVAL);
	struct stat st;
	if (fstatat(AT_FDCWD, pod_dir, &st, 0) < 0)
		return rkt_fail_sys(err, "stat", pod_dir, errno);
	size_t len = HEADER_LEN + (size_t)summary_len + CHECKSUM_LEN;
	unsigned char *record = calloc(1, len);
	if (!record)
		return rkt_fail_sys(err, "append to list cache", pod_dir, ENOMEM);
	uint32_t len32 = (uint32_t)summary_len;
	uint64_t inode = st.st_ino;
	memcpy(record, MAGIC, 4);
	memcpy(record + 4, &len32, 4);
	memcpy(record + 8, &inode, 8);
	memcpy(record + 16, name, strlen(name));
	if (summary_len > 0)
		memcpy(record + HEADER_LEN, summary, (size_t)summary_len);
	uint64_t checksum = fnv1a(record, len - CHECKSUM_LEN);
	memcpy(record + len - CHECKSUM_LEN, &checksum, CHECKSUM_LEN);

	char path[4096];
	int rc = 0;
	if (cache_path(path, sizeof path, pods_dir) < 0) {
		rc = rkt_fail_sys(err, "open", pods_dir, ENAMETOOLONG);
	} else {
		/* One write on an O_APPEND descriptor: concurrent prepares' records do not interleave. */
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			rc = rkt_fail_sys(err, "open", path, errno);
		} else {
			ssize_t done = write(fd, record, len);
			if (done < 0 || (size_t)done != len)
				rc = rkt_fail_sys(err, "write", path, done < 0 ? errno : EIO);
			if (close(fd) < 0 && rc == 0)
				rc = rkt_fail_sys(err, "close", path, errno);
		}
	}
	free(record);
	return rc;
}

/* Marks the records of the pods in `state_dirs` below `pods_dir` in `keep`; -1 with *err when a
 * state directory (other than a missing one) cannot be listed. Read in lifecycle order, as the
 * scan reads them, so that a pod moved forward meanwhile is met in one of them. */
static int mark_existing_pods(const struct list_cache *cache, const char *pods_dir, const char *state_dirs,
			      int32_t count, unsigned char *keep, struct rkt_error *err)
{
	const char *state = state_dirs;
	for (int32_t i = 0; i < count; i++, state += strlen(state) + 1) {
		char path[4096];
		if (path_join(path, sizeof path, pods_dir, state) < 0)
			return rkt_fail_sys(err, "open", pods_dir, ENAMETOOLONG);
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;
		struct dir_list list = { 0 };
		if (fd < 0 || dir_list_read(&list, fd) < 0) {
			int errnum = errno;
			if (fd >= 0)
				close(fd);
			return rkt_fail_sys(err, "read directory", path, errnum);
		}
		for (size_t j = 0; j < list.count; j++) {
			const struct list_cache_record *r = list_cache_find(cache, list.names[j], list.inodes[j]);
			if (r)
				keep[r - cache->records] = 1;
		}
		dir_list_free(&list);
		close(fd);
	}
	return 0;
}

/* Writes the kept records into a new file that replaces the cache. Not synced: after a crash
 * the cache may be empty or gone, which costs only speed. */
static int replace_cache(const struct list_cache *cache, const unsigned char *keep, const char *pods_dir,
			 struct rkt_error *err)
{
	char path[4096], temp[4096];
	if (cache_path(path, sizeof path, pods_dir) < 0 ||
	    snprintf(temp, sizeof temp, "%s.XXXXXX", path) >= (int)sizeof temp)
		return rkt_fail_sys(err, "open", pods_dir, ENAMETOOLONG);
	int fd = mkostemp(temp, O_CLOEXEC); /* mode 0600, as the records' list-summary files */
	if (fd < 0)
		return rkt_fail_sys(err, "create", temp, errno);
	int failure = 0;
	for (size_t i = 0; i < cache->count && failure == 0; i++) {
		if (keep[i])
			failure = write_all(fd, cache->records[i].bytes, cache->records[i].len);
	}
	int rc = 0;
	if (failure)
		rc = rkt_fail_sys(err, "write", temp, failure);
	if (close(fd) < 0 && rc == 0)
		rc = rkt_fail_sys(err, "close", temp, errno);
	if (rc == 0 && rename(temp, path) < 0)
		rc = rkt_fail_sys(err, "rename", temp, errno);
	if (rc < 0)
		unlink(temp);
	return rc;
}

/* A prepare that appends its record between this read and the rename loses it: that pod is
 * then listed from its own file, the slower path, for the rest of its life. */
int rkt_list_cache_compact(const char *pods_dir, const char *state_dirs, int32_t count, struct rkt_error *err)
{
	struct list_cache cache;
	list_cache_read(&cache, pods_dir, 1);
	if (!cache.data) /* no cache, or none that can be read: nothing to keep */
		return 0;
	unsigned char *keep = calloc(cache.count + 1, 1);
	if (!keep) {
		list_cache_free(&cache);
		return rkt_fail_sys(err, "compact list cache", pods_dir, ENOMEM);
	}
	int rc = mark_existing_pods(&cache, pods_dir, state_dirs, count, keep, err);
	size_t kept_len = 0, records_len = 0;
	for (size_t i = 0; i < cache.count; i++) {
		records_len += cache.records[i].len;
		kept_len += keep[i] ? cache.records[i].len : 0;
	}
	if (rc == 0 && (kept_len < records_len || records_len < cache.len))
		rc = replace_cache(&cache, keep, pods_dir, err);
	free(keep);
	list_cache_free(&cache);
	return rc;
}
