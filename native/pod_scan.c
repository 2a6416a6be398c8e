/* `rkt list` in one call: every pod directory of some state directories, with whether another
 * process holds the pod's lock and the text of its list summary (or, for a pod prepared
 * without one, its pod manifest) and network list, so that a thousand pods cost a few system
 * calls each and one JSON.parse instead of a round of JS calls each. Where /proc/locks can be
 * trusted (lock_table.c), a pod it shows unlocked costs no system call when the list cache
 * (list_cache.c) has its summary, else its summary's open, read and close; the others are
 * opened and test-locked, their summary taken from the cache all the same.
 *
 * The output is one JSON array, sorted by name, of
 *   {"stateIndex":N,"name":"UUID","locked":BOOL,APPS[,"networks":"TEXT"]}
 * where APPS is the apps of the list summary, "apps":[{"name":"TEXT","imageName":"TEXT",
 * "imageId":"TEXT"},...] (or "summary":"TEXT" for a summary that is not such records), or
 * "summaryErrno":N, and only when the pod has no `list-summary` file, "manifest":"TEXT" or
 * "manifestErrno":N; TEXT is the bytes of a file or field as a JSON string (bytes that are not
 * UTF-8 are left for the decoder to replace, as readFileSync does) and `networks` is there
 * only for a locked pod that has a readable `net-info.json`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "dirlist.h"
#include "list_cache.h"
#include "lock_table.h"
#include "mount_points.h"
#include "proc_file.h"
#include "path.h"
#include "prefault.h"
#include "rkt_native.h"

/* Files this large are reported as EFBIG rather than read: a pod manifest is a few KiB, a
 * list summary (LIST_SUMMARY_MAX) a few hundred bytes per app. */
#define POD_FILE_MAX (16 << 20)
#define SUMMARY_FILE "list-summary"
#define MAX_STATE_DIRS 16

struct out {
	char *data;
	size_t len, cap;
};

static int out_reserve(struct out *o, size_t more)
{
	if (o->len + more <= o->cap)
		return 0;
	size_t cap = o->cap ? o->cap : 64 << 10;
	while (cap < o->len + more)
		cap *= 2;
	char *grown = realloc(o->data, cap);
	if (!grown)
		return -1;
	prefault(grown + o->len, cap - o->len); /* the output of 1000 pods is some 300 KiB */
	o->data = grown, o->cap = cap;
	return 0;
}

static int out_put(struct out *o, const char *text)
{
	size_t n = strlen(text);
	if (out_reserve(o, n) < 0)
		return -1;
	memcpy(o->data + o->len, text, n);
	o->len += n;
	return 0;
}

/* Appends `bytes` as a JSON string: quote, backslash and control characters escaped. */
static int out_put_json_string(struct out *o, const unsigned char *bytes, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	if (out_reserve(o, n * 6 + 2) < 0)
		return -1;
	char *p = o->data + o->len;
	*p++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = bytes[i];
		if (c == '"' || c == '\\') {
			*p++ = '\\', *p++ = (char)c;
		} else if (c < 0x20) {
			memcpy(p, "\\u00", 4);
			p[4] = hex[c >> 4], p[5] = hex[c & 15];
			p += 6;
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '"';
	o->len = (size_t)(p - o->data);
	return 0;
}

/* The whole of `name` (relative to `dir_fd`), shorter than `max` bytes, into `buf`, grown as
 * needed (and kept from pod to pod); returns 0 or an errno. */
static int read_whole(int dir_fd, const char *name, size_t max, struct out *buf)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	buf->len = 0;
	int rc = 0;
	for (;;) {
		if (buf->len == buf->cap && out_reserve(buf, 1) < 0) {
			rc = ENOMEM;
			break;
		}
		size_t room = buf->cap - buf->len;
		if (room > max - buf->len)
			room = max - buf->len;
		if (room == 0) {
			rc = EFBIG;
			break;
		}
		ssize_t n = read(fd, buf->data + buf->len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = errno;
			break;
		}
		buf->len += (size_t)n;
		/* A regular file's read returns less than asked only at its end: no read of 0 needed. */
		if ((size_t)n < room)
			break;
	}
	close(fd);
	return rc;
}

/* Appends `,"KEY":"TEXT"`. */
static int put_text(struct out *o, const char *key, const unsigned char *bytes, size_t n)
{
	char head[64];
	snprintf(head, sizeof head, ",\"%s\":", key);
	if (out_put(o, head) < 0)
		return -1;
	return out_put_json_string(o, bytes, n);
}

/* Appends a list summary's apps (src/pod/list-summary.ts: records of an app's name, image name
 * and image ID, each field ended by a NUL) as the objects src/pod/list.ts lists, so that no
 * JavaScript splits a thousand summaries; anything else as its text, for the decoder to report. */
static int put_summary(struct out *o, const unsigned char *bytes, size_t n)
{
	static const char *const keys[] = { "{\"name\":", ",\"imageName\":", ",\"imageId\":" };
	size_t fields = 0;
	for (size_t i = 0; i < n; i++)
		fields += bytes[i] == '\0';
	if (n == 0 || bytes[n - 1] != '\0' || fields % 3 != 0)
		return put_text(o, "summary", bytes, n);
	if (out_put(o, ",\"apps\":[") < 0)
		return -1;
	const unsigned char *field = bytes;
	for (size_t k = 0; k < fields; k++) {
		size_t len = strlen((const char *)field);
		if ((k > 0 && k % 3 == 0 && out_put(o, "},") < 0) || out_put(o, keys[k % 3]) < 0 ||
		    out_put_json_string(o, field, len) < 0)
			return -1;
		field += len + 1;
	}
	return out_put(o, "}]");
}

/* Appends `,"KEY":"TEXT"` for the file read into `buf` when `failure` is 0, else
 * `,"ERRNO_KEY":N` when `errno_key` is given. */
static int put_read(struct out *o, const struct out *buf, int failure, const char *key, const char *errno_key)
{
	char head[64];
	if (failure == 0)
		return put_text(o, key, (const unsigned char *)buf->data, buf->len);
	if (!errno_key)
		return 0;
	snprintf(head, sizeof head, ",\"%s\":%d", errno_key, failure);
	return out_put(o, head);
}

static int put_file(struct out *o, struct out *buf, int dir_fd, int dir_errno, const char *name, size_t max,
		    const char *key, const char *errno_key)
{
	int failure = dir_fd < 0 ? dir_errno : read_whole(dir_fd, name, max, buf);
	return put_read(o, buf, failure, key, errno_key);
}

/* Appends the pod's apps: its list summary, else, for a pod prepared without one, its manifest.
 * `prefix` is the pod directory relative to `dir_fd`: "" or "UUID/". */
static int put_apps(struct out *o, struct out *buf, int dir_fd, int dir_errno, const char *prefix)
{
	char summary[64], manifest[64];
	snprintf(summary, sizeof summary, "%s" SUMMARY_FILE, prefix);
	snprintf(manifest, sizeof manifest, "%spod", prefix);
	if (dir_fd >= 0) {
		int failure = read_whole(dir_fd, summary, LIST_SUMMARY_MAX, buf);
		if (failure != ENOENT)
			return failure == 0 ? put_summary(o, (const unsigned char *)buf->data, buf->len)
					    : put_read(o, buf, failure, "summary", "summaryErrno");
	}
	return put_file(o, buf, dir_fd, dir_errno, manifest, POD_FILE_MAX, "manifest", "manifestErrno");
}

struct entry {
	const char *name;
	uint64_t inode;
	int state_index;
};

struct state_dir {
	int fd;
	/* The lock table's inode numbers are this filesystem's, and nothing is mounted on an entry:
	 * each entry's d_ino is the inode that opening it reaches. */
	int in_lock_table;
};

/* Whether the lock table alone shows the pod with inode `ino` unlocked. */
static int unlocked_by_table(const struct lock_table *locks, const struct state_dir *dir, uint64_t ino)
{
	return locks->complete && dir->in_lock_table && !lock_table_has(locks, ino);
}

static int put_head(struct out *o, int state_index, const char *name, int locked)
{
	char head[128];
	snprintf(head, sizeof head, "{\"stateIndex\":%d,\"name\":\"%s\",\"locked\":%s", state_index, name,
		 locked ? "true" : "false");
	return out_put(o, head);
}

/* Appends one pod's object. Opening the directory and taking a shared lock without waiting is
 * Pod.state()'s test: it fails only while someone holds the pod exclusively. */
static int put_pod(struct out *o, struct out *buf, const struct lock_table *locks, const struct list_cache *cache,
		   const struct state_dir *dir, const struct entry *e, const char *path, struct rkt_error *err)
{
	const char *name = e->name;
	int state_index = e->state_index;
	const struct list_cache_record *cached = list_cache_find(cache, name, e->inode);
	int rc;
	if (unlocked_by_table(locks, dir, e->inode)) {
		char prefix[64];
		snprintf(prefix, sizeof prefix, "%s/", name);
		rc = put_head(o, state_index, name, 0);
		if (rc == 0)
			rc = cached ? put_summary(o, cached->summary, cached->summary_len)
				    : put_apps(o, buf, dir->fd, 0, prefix);
	} else {
		int pod_fd = openat(dir->fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int pod_errno = errno;
		int locked = 0;
		if (pod_fd >= 0 && flock(pod_fd, LOCK_SH | LOCK_NB) < 0) {
			if (errno != EWOULDBLOCK) {
				close(pod_fd);
				return rkt_fail_sys(err, "flock", path, errno);
			}
			locked = 1;
		}
		rc = put_head(o, state_index, name, locked);
		/* A pod that could not be opened is reported as before, whatever the cache says. */
		if (rc == 0)
			rc = cached && pod_fd >= 0 ? put_summary(o, cached->summary, cached->summary_len)
						   : put_apps(o, buf, pod_fd, pod_errno, "");
		/* Only a locked (running) pod has networks to show, and a failed open costs too. */
		if (rc == 0 && locked)
			rc = put_file(o, buf, pod_fd, pod_errno, "net-info.json", POD_FILE_MAX, "networks", NULL);
		if (pod_fd >= 0)
			close(pod_fd);
	}
	if (rc == 0)
		rc = out_put(o, "}");
	return rc < 0 ? rkt_fail_sys(err, "read", path, ENOMEM) : 0;
}

/* The names Pod.list takes for pods (src/appc/uuid.ts isUuid): 32 hex digits, or 8-4-4-4-12. */
static int is_uuid_name(const char *name)
{
	size_t len = strlen(name);
	if (len != 32 && len != 36)
		return 0;
	for (size_t i = 0; i < len; i++) {
		int dash_place = len == 36 && (i == 8 || i == 13 || i == 18 || i == 23);
		char c = name[i];
		int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		if (dash_place ? c != '-' : !hex)
			return 0;
	}
	return 1;
}

static int compare_entries(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : x->state_index - y->state_index;
}

struct scan {
	const char *pods_dir;
	const char *states[MAX_STATE_DIRS];
	struct state_dir dirs[MAX_STATE_DIRS];
	struct dir_list lists[MAX_STATE_DIRS];
	int count;
	struct entry *entries;
	size_t entry_count;
	/* Read after the directories: a pod moved into run/ was locked before it moved. */
	struct lock_table locks;
	struct list_cache cache;
	char *mountinfo;
};

/* Lists every state directory (a missing one is empty: they are made on first use). */
static int read_state_dirs(struct scan *s, struct rkt_error *err)
{
	size_t total = 0;
	for (int i = 0; i < s->count; i++) {
		char path[RKT_ERROR_PATH_MAX];
		if (path_join(path, sizeof path, s->pods_dir, s->states[i]) < 0)
			return rkt_fail_sys(err, "open", s->pods_dir, ENAMETOOLONG);
		struct state_dir *dir = &s->dirs[i];
		dir->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir->fd < 0) {
			if (errno == ENOENT)
				continue;
			/* As the JavaScript listing of the other commands says it. */
			return rkt_fail_sys(err, "read directory", path, errno);
		}
		if (dir_list_read(&s->lists[i], dir->fd) < 0)
			return rkt_fail_sys(err, "read directory", path, errno);
		dir->in_lock_table =
			lock_table_covers_filesystem(dir->fd) && nothing_mounted_on_entries(s->mountinfo, dir->fd);
		total += s->lists[i].count;
	}
	s->entries = malloc((total ? total : 1) * sizeof *s->entries);
	if (!s->entries)
		return rkt_fail_sys(err, "read directory", s->pods_dir, ENOMEM);
	for (int i = 0; i < s->count; i++) {
		for (size_t j = 0; j < s->lists[i].count; j++) {
			if (is_uuid_name(s->lists[i].names[j])) /* anything else under pods/ is not rkt's */
				s->entries[s->entry_count++] =
					(struct entry){ s->lists[i].names[j], s->lists[i].inodes[j], i };
		}
	}
	qsort(s->entries, s->entry_count, sizeof *s->entries, compare_entries);
	return 0;
}

/* A pod renamed forward between two readdirs shows in both: the later state directory (read
 * later, in lifecycle order) is the one it is in. */
static int put_pods(const struct scan *s, struct out *o, struct out *buf, struct rkt_error *err)
{
	if (out_put(o, "[") < 0)
		return rkt_fail_sys(err, "read directory", s->pods_dir, ENOMEM);
	for (size_t k = 0; k < s->entry_count; k++) {
		const struct entry *e = &s->entries[k];
		if (k + 1 < s->entry_count && strcmp(e->name, s->entries[k + 1].name) == 0)
			continue;
		char path[RKT_ERROR_PATH_MAX];
		if (snprintf(path, sizeof path, "%s/%s/%s", s->pods_dir, s->states[e->state_index], e->name) >=
		    (int)sizeof path)
			return rkt_fail_sys(err, "open", s->pods_dir, ENAMETOOLONG);
		if (o->len > 1 && out_put(o, ",") < 0)
			return rkt_fail_sys(err, "read", path, ENOMEM);
		if (put_pod(o, buf, &s->locks, &s->cache, &s->dirs[e->state_index], e, path, err) < 0)
			return -1;
	}
	if (out_put(o, "]") < 0)
		return rkt_fail_sys(err, "read directory", s->pods_dir, ENOMEM);
	return 0;
}

int rkt_pod_scan(const char *pods_dir, const char *state_dirs, int32_t count, struct rkt_blob *out,
		 struct rkt_error *err)
{
	if (count < 0 || count > MAX_STATE_DIRS)
		return rkt_fail(err, "scan", pods_dir, "%d state directories (at most %d)", count, MAX_STATE_DIRS);
	struct scan s = { .pods_dir = pods_dir, .count = count };
	const char *state = state_dirs;
	for (int i = 0; i < count; i++, state += strlen(state) + 1)
		s.states[i] = state, s.dirs[i].fd = -1;
	struct out o = { 0 }, file = { 0 };
	s.mountinfo = proc_file_read("/proc/self/mountinfo");
	int rc = read_state_dirs(&s, err);
	if (rc == 0) {
		lock_table_read(&s.locks);
		list_cache_read(&s.cache, pods_dir, 0);
		rc = put_pods(&s, &o, &file, err);
	}
	list_cache_free(&s.cache);
	lock_table_free(&s.locks);
	free(s.mountinfo);
	free(file.data);
	free(s.entries);
	for (int i = 0; i < count; i++) {
		dir_list_free(&s.lists[i]);
		if (s.dirs[i].fd >= 0)
			close(s.dirs[i].fd);
	}
	if (rc < 0) {
		free(o.data);
		return -1;
	}
	out->data = (uint8_t *)o.data;
	out->len = (int64_t)o.len;
	return 0;
}
