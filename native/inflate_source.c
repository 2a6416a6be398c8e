#define _GNU_SOURCE
#include "inflate_source.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decompress.h"

#define SLOT_SIZE (256u << 10)
#define SLOT_COUNT 8

struct inflate_source {
	struct tar_source src; /* first member: the tar reader hands us this pointer */
	pthread_mutex_t lock;
	pthread_cond_t filled, freed;
	uint8_t *slots[SLOT_COUNT];
	size_t lens[SLOT_COUNT];
	unsigned head, tail, count; /* fill at head, consume at tail; count = slots in use */
	bool producer_done, cancelled, started;
	bool holding; /* the chunk in src.data is slot `tail` */
	struct rkt_error producer_err;
	struct decompressor *decompressor;
	pthread_t thread;
	inflate_chunk_fn on_chunk;
	void *ctx;
};

static void *produce(void *arg)
{
	struct inflate_source *s = arg;
	for (;;) {
		pthread_mutex_lock(&s->lock);
		while (s->count == SLOT_COUNT && !s->cancelled)
			pthread_cond_wait(&s->freed, &s->lock);
		bool cancelled = s->cancelled;
		unsigned slot = s->head;
		pthread_mutex_unlock(&s->lock);
		if (cancelled)
			break;

		ssize_t n = decompressor_read(s->decompressor, s->slots[slot], SLOT_SIZE, &s->producer_err);
		/* Here rather than in the consumer, which has the tar (and maybe the extraction) to do. */
		if (n > 0 && s->on_chunk && s->on_chunk(s->ctx, s->slots[slot], (size_t)n, &s->producer_err) != 0)
			n = -1;

		pthread_mutex_lock(&s->lock);
		if (n > 0) {
			s->lens[slot] = (size_t)n;
			s->head = (slot + 1) % SLOT_COUNT;
			s->count++;
		}
		if (n <= 0)
			s->producer_done = true;
		pthread_cond_signal(&s->filled);
		pthread_mutex_unlock(&s->lock);
		if (n <= 0)
			return NULL;
	}
	pthread_mutex_lock(&s->lock);
	s->producer_done = true;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static int refill(struct tar_source *src, struct rkt_error *err)
{
	struct inflate_source *s = (struct inflate_source *)src;
	pthread_mutex_lock(&s->lock);
	if (s->holding) {
		s->tail = (s->tail + 1) % SLOT_COUNT;
		s->count--;
		s->holding = false;
		pthread_cond_signal(&s->freed);
	}
	while (s->count == 0 && !s->producer_done)
		pthread_cond_wait(&s->filled, &s->lock);
	bool have = s->count > 0;
	unsigned slot = s->tail;
	pthread_mutex_unlock(&s->lock);
	if (!have) {
		if (s->producer_err.failed) {
			*err = s->producer_err;
			return -1;
		}
		return 0;
	}
	s->holding = true;
	src->data = s->slots[slot];
	src->len = s->lens[slot];
	src->pos = 0;
	return 1;
}

struct inflate_source *inflate_source_open(const char *path, struct growing_file *follow, inflate_chunk_fn on_chunk,
					   void *ctx, struct rkt_error *err)
{
	struct inflate_source *s = calloc(1, sizeof *s);
	if (!s) {
		rkt_fail_sys(err, "read", path, ENOMEM);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->filled, NULL);
	pthread_cond_init(&s->freed, NULL);
	s->src.refill = refill;
	s->on_chunk = on_chunk;
	s->ctx = ctx;
	int rc = (s->decompressor = decompressor_open(path, follow, err)) ? 0 : -1;
	for (int i = 0; rc == 0 && i < SLOT_COUNT; i++)
		if (!(s->slots[i] = malloc(SLOT_SIZE)))
			rc = rkt_fail_sys(err, "read", path, ENOMEM);
	if (rc == 0) {
		int e = pthread_create(&s->thread, NULL, produce, s);
		if (e)
			rc = rkt_fail_sys(err, "start decompression thread for", path, e);
		s->started = e == 0;
	}
	if (rc < 0) {
		inflate_source_close(s);
		return NULL;
	}
	return s;
}

struct tar_source *inflate_source_tar(struct inflate_source *s)
{
	return &s->src;
}

int inflate_source_drain(struct inflate_source *s, struct rkt_error *err)
{
	int rc;
	while ((rc = refill(&s->src, err)) > 0) {
	}
	return rc;
}

void inflate_source_close(struct inflate_source *s)
{
	if (!s)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->cancelled = true;
		pthread_cond_broadcast(&s->freed);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	for (int i = 0; i < SLOT_COUNT; i++)
		free(s->slots[i]);
	decompressor_close(s->decompressor);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->filled);
	pthread_cond_destroy(&s->freed);
	free(s);
}
