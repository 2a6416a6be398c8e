/* Import of an ACI in one pass over the source: a producer thread decompresses into a
 * bounded ring of buffers while the calling thread hashes each buffer, writes it to the
 * temp file and scans the tar headers for the manifest. Two cores, like `gzip -dc | sha512sum`.
 * The layout is checked on the way as appc's ValidateArchive does (only `manifest`, `rootfs`
 * and `rootfs/...`), and writing stops before the filesystem's reserve is reached. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decompress.h"
#include "disk_reserve.h"
#include "path.h"
#include "rkt_native.h"
#include "sha512.h"
#include "tar.h"

#define SLOT_SIZE (256u << 10)
#define SLOT_COUNT 8
/* Start writeback every few MiB, so the final fsync finds little left to write. */
#define WRITEBACK_STEP (8u << 20)
#define MANIFEST_MAX (64u << 20)

struct ring {
	pthread_mutex_t lock;
	pthread_cond_t filled, freed;
	uint8_t *slots[SLOT_COUNT];
	size_t lens[SLOT_COUNT];
	unsigned head, tail, count; /* fill at head, consume at tail; count = slots in use */
	bool producer_done, cancelled;
	struct rkt_error producer_err;
	struct decompressor *decompressor;
};

static void *produce(void *arg)
{
	struct ring *ring = arg;
	for (;;) {
		pthread_mutex_lock(&ring->lock);
		while (ring->count == SLOT_COUNT && !ring->cancelled)
			pthread_cond_wait(&ring->freed, &ring->lock);
		bool cancelled = ring->cancelled;
		unsigned slot = ring->head;
		pthread_mutex_unlock(&ring->lock);
		if (cancelled)
			break;

		ssize_t n = decompressor_read(ring->decompressor, ring->slots[slot], SLOT_SIZE, &ring->producer_err);

		pthread_mutex_lock(&ring->lock);
		if (n > 0) {
			ring->lens[slot] = (size_t)n;
			ring->head = (slot + 1) % SLOT_COUNT;
			ring->count++;
		}
		if (n <= 0)
			ring->producer_done = true;
		pthread_cond_signal(&ring->filled);
		pthread_mutex_unlock(&ring->lock);
		if (n <= 0)
			return NULL;
	}
	pthread_mutex_lock(&ring->lock);
	ring->producer_done = true;
	pthread_mutex_unlock(&ring->lock);
	return NULL;
}

/* The consumer side: a tar_source whose every chunk is hashed and written first. */
struct import_source {
	struct tar_source src; /* first member: the tar reader hands us this pointer */
	struct ring *ring;
	bool holding; /* the chunk in src.data is ring slot `tail` */
	int out_fd;
	const char *out_path;
	const char *source;
	struct sha512 hash;
	uint64_t written, writeback_started;
};

static int write_all(int fd, const uint8_t *p, size_t n, const char *path, struct rkt_error *err)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return rkt_fail_sys(err, "write", path, errno);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int import_refill(struct tar_source *src, struct rkt_error *err)
{
	struct import_source *s = (struct import_source *)src;
	struct ring *ring = s->ring;
	pthread_mutex_lock(&ring->lock);
	if (s->holding) {
		ring->tail = (ring->tail + 1) % SLOT_COUNT;
		ring->count--;
		s->holding = false;
		pthread_cond_signal(&ring->freed);
	}
	while (ring->count == 0 && !ring->producer_done)
		pthread_cond_wait(&ring->filled, &ring->lock);
	bool have = ring->count > 0;
	unsigned slot = ring->tail;
	pthread_mutex_unlock(&ring->lock);
	if (!have) {
		if (ring->producer_err.failed) {
			*err = ring->producer_err;
			return -1;
		}
		return 0;
	}
	s->holding = true;
	src->data = ring->slots[slot];
	src->len = ring->lens[slot];
	src->pos = 0;
	sha512_update(&s->hash, src->data, src->len);
	if (disk_reserve_check(s->out_fd, src->len, "import", s->source, err) < 0)
		return -1;
	if (write_all(s->out_fd, src->data, src->len, s->out_path, err) < 0)
		return -1;
	s->written += src->len;
	if (s->written - s->writeback_started >= WRITEBACK_STEP) {
		sync_file_range(s->out_fd, (off64_t)s->writeback_started, (off64_t)(s->written - s->writeback_started),
				SYNC_FILE_RANGE_WRITE);
		s->writeback_started = s->written;
	}
	return 1;
}

enum layout_entry { LAYOUT_OTHER, LAYOUT_MANIFEST, LAYOUT_ROOTFS };

/* Sorts an entry as appc's ValidateArchive does, failing with its reason on anything
 * outside `manifest`, `rootfs` (a directory) and `rootfs/...`. */
static int classify_entry(const struct tar_entry *e, const char *source, enum layout_entry *kind, struct rkt_error *err)
{
	char clean[4096];
	int absolute;
	*kind = LAYOUT_OTHER;
	enum path_clean_result r = path_clean(e->name, clean, sizeof clean, &absolute);
	if (r == PATH_CLEAN_TOO_LONG)
		return rkt_fail(err, "import", source, "entry name too long: \"%.200s\"", e->name);
	bool inside = r == PATH_CLEAN_OK && !absolute;
	if (inside && strcmp(clean, "manifest") == 0 && e->type == TAR_REGULAR)
		*kind = LAYOUT_MANIFEST;
	else if (inside && strcmp(clean, "rootfs") == 0)
		*kind = LAYOUT_ROOTFS;
	else if (!inside || (clean[0] != '\0' && !path_strip_prefix(clean, "rootfs")))
		return rkt_fail(err, "bad image layout in", source, "unrecognized file path in layout: \"%.200s\"",
				inside ? clean : e->name);
	if (*kind == LAYOUT_ROOTFS && e->type != TAR_DIRECTORY)
		return rkt_fail(err, "bad image layout in", source, "rootfs is not a directory");
	return 0;
}

static int capture(struct tar_reader *r, const struct tar_entry *e, const char *source, struct rkt_blob *out,
		   struct rkt_error *err)
{
	if (e->size > MANIFEST_MAX)
		return rkt_fail(err, "import", source, "manifest of %llu bytes is too large",
				(unsigned long long)e->size);
	uint8_t *buf = malloc(e->size ? e->size : 1);
	if (!buf)
		return rkt_fail_sys(err, "import", source, ENOMEM);
	size_t got = 0;
	while (got < e->size) {
		const uint8_t *p;
		size_t n;
		if (tar_reader_data(r, &p, &n, err) < 0) {
			free(buf);
			return -1;
		}
		memcpy(buf + got, p, n);
		got += n;
	}
	out->data = buf;
	out->len = (int64_t)e->size;
	return 0;
}

/* Reads the whole stream: entries until the end of the archive, then whatever follows
 * (padding), since every byte counts for the image ID. */
static int consume(struct import_source *s, const char *source, struct rkt_blob *manifest, struct rkt_error *err)
{
	struct tar_reader reader;
	tar_reader_init(&reader, &s->src, source);
	struct tar_entry e;
	bool have_rootfs = false;
	int rc;
	while ((rc = tar_reader_next(&reader, &e, err)) > 0) {
		enum layout_entry kind;
		rc = classify_entry(&e, source, &kind, err);
		if (rc == 0 && kind == LAYOUT_MANIFEST && manifest->len < 0)
			rc = capture(&reader, &e, source, manifest, err);
		have_rootfs |= kind == LAYOUT_ROOTFS;
		tar_entry_free(&e);
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	/* Without a manifest the caller reports that first, as ValidateArchive does. */
	if (manifest->len >= 0 && !have_rootfs)
		return rkt_fail(err, "bad image layout in", source, "no rootfs found in layout");
	while ((rc = import_refill(&s->src, err)) > 0) {
	}
	return rc;
}

static void stop_producer(struct ring *ring, pthread_t thread)
{
	pthread_mutex_lock(&ring->lock);
	ring->cancelled = true;
	pthread_cond_broadcast(&ring->freed);
	pthread_mutex_unlock(&ring->lock);
	pthread_join(thread, NULL);
}

static int ring_init(struct ring *ring, struct decompressor *d, const char *source, struct rkt_error *err)
{
	memset(ring, 0, sizeof *ring);
	pthread_mutex_init(&ring->lock, NULL);
	pthread_cond_init(&ring->filled, NULL);
	pthread_cond_init(&ring->freed, NULL);
	ring->decompressor = d;
	for (int i = 0; i < SLOT_COUNT; i++)
		if (!(ring->slots[i] = malloc(SLOT_SIZE)))
			return rkt_fail_sys(err, "import", source, ENOMEM);
	return 0;
}

static void ring_destroy(struct ring *ring)
{
	for (int i = 0; i < SLOT_COUNT; i++)
		free(ring->slots[i]);
	pthread_mutex_destroy(&ring->lock);
	pthread_cond_destroy(&ring->filled);
	pthread_cond_destroy(&ring->freed);
}

int rkt_import_aci(const char *source, const char *tmp_dir, char tar_path_out[4096], char sha512_hex_out[129],
		   struct rkt_blob *manifest_out, struct rkt_error *err)
{
	manifest_out->data = NULL;
	manifest_out->len = -1;
	struct decompressor *d = decompressor_open(source, err);
	if (!d)
		return -1;

	char *tmp_path = tar_path_out;
	if (path_join(tmp_path, 4096, tmp_dir, "import-XXXXXX") < 0) {
		decompressor_close(d);
		return rkt_fail_sys(err, "create temp file in", tmp_dir, ENAMETOOLONG);
	}
	int fd = mkostemp(tmp_path, O_CLOEXEC);
	if (fd < 0) {
		decompressor_close(d);
		return rkt_fail_sys(err, "create temp file in", tmp_dir, errno);
	}

	struct ring ring;
	struct import_source s = {
		.src = { .refill = import_refill }, .ring = &ring, .out_fd = fd, .out_path = tmp_path, .source = source
	};
	sha512_init(&s.hash);
	pthread_t producer;
	int rc = ring_init(&ring, d, source, err);
	if (rc == 0) {
		int e = pthread_create(&producer, NULL, produce, &ring);
		if (e)
			rc = rkt_fail_sys(err, "start decompression thread for", source, e);
	}
	if (rc == 0) {
		rc = consume(&s, source, manifest_out, err);
		stop_producer(&ring, producer);
	}
	ring_destroy(&ring);
	decompressor_close(d);
	if (rc == 0 && fsync(fd) < 0)
		rc = rkt_fail_sys(err, "fsync", tmp_path, errno);
	if (close(fd) < 0 && rc == 0)
		rc = rkt_fail_sys(err, "close", tmp_path, errno);
	if (rc < 0) {
		unlink(tmp_path);
		tmp_path[0] = '\0';
		free(manifest_out->data);
		manifest_out->data = NULL;
		manifest_out->len = -1;
		return -1;
	}
	sha512_final_hex(&s.hash, sha512_hex_out);
	return 0;
}

void rkt_free(void *p)
{
	free(p);
}
