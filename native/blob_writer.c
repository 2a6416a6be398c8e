#define _GNU_SOURCE
#include "blob_writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "disk_reserve.h"
#include "fsmeta.h"

#define SLOT_SIZE (256u << 10)
#define SLOT_COUNT 8
/* Bytes written between two free-space checks. */

struct blob_writer {
	pthread_mutex_t lock;
	pthread_cond_t filled, freed;
	uint8_t *slots[SLOT_COUNT];
	size_t lens[SLOT_COUNT];
	unsigned head, tail, count; /* fill at head, write at tail; count = slots queued */
	bool filling; /* slot `head` is being filled (lens[head] bytes so far) */
	bool done, cancelled, failed, started;
	struct rkt_error thread_err;
	pthread_t thread;
	struct sha512 hash;
	int fd;
	const char *path, *op, *object;
	uint64_t reserved; /* bytes still covered by the last free-space check */
};

static int write_slot(struct blob_writer *w, const uint8_t *data, size_t len)
{
	sha512_update(&w->hash, data, len);
	if (w->reserved < len) {
		if (disk_reserve_check(w->fd, DISK_RESERVE_STEP + len, w->op, w->object, &w->thread_err) < 0)
			return -1;
		w->reserved = DISK_RESERVE_STEP + len;
	}
	w->reserved -= len;
	return fsmeta_write_all(w->fd, data, len) < 0 ? rkt_fail_sys(&w->thread_err, "write", w->path, errno) : 0;
}

static void *drain(void *arg)
{
	struct blob_writer *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->count == 0 && !w->done && !w->cancelled)
			pthread_cond_wait(&w->filled, &w->lock);
		if (w->cancelled || w->count == 0)
			break;
		unsigned slot = w->tail;
		pthread_mutex_unlock(&w->lock);
		int rc = write_slot(w, w->slots[slot], w->lens[slot]);
		pthread_mutex_lock(&w->lock);
		w->tail = (slot + 1) % SLOT_COUNT;
		w->count--;
		pthread_cond_signal(&w->freed);
		if (rc < 0) {
			w->failed = true;
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct blob_writer *blob_writer_open(int fd, const char *path, const char *op, const char *object,
				     struct rkt_error *err)
{
	struct blob_writer *w = calloc(1, sizeof *w);
	if (!w) {
		rkt_fail_sys(err, "write", path, ENOMEM);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->filled, NULL);
	pthread_cond_init(&w->freed, NULL);
	sha512_init(&w->hash);
	w->fd = fd;
	w->path = path;
	w->op = op;
	w->object = object;
	int rc = 0;
	for (int i = 0; rc == 0 && i < SLOT_COUNT; i++)
		if (!(w->slots[i] = malloc(SLOT_SIZE)))
			rc = rkt_fail_sys(err, "write", path, ENOMEM);
	if (rc == 0) {
		int e = pthread_create(&w->thread, NULL, drain, w);
		if (e)
			rc = rkt_fail_sys(err, "start writer thread for", path, e);
		w->started = e == 0;
	}
	if (rc < 0) {
		blob_writer_close(w);
		return NULL;
	}
	return w;
}

/* Queues the slot being filled. Called with the lock held. */
static void queue_filling(struct blob_writer *w)
{
	w->filling = false;
	w->head = (w->head + 1) % SLOT_COUNT;
	w->count++;
	pthread_cond_signal(&w->filled);
}

int blob_writer_push(struct blob_writer *w, const uint8_t *data, size_t len, struct rkt_error *err)
{
	pthread_mutex_lock(&w->lock);
	while (len > 0 && !w->failed) {
		if (!w->filling) {
			while (w->count == SLOT_COUNT && !w->failed)
				pthread_cond_wait(&w->freed, &w->lock);
			if (w->failed)
				break;
			w->filling = true;
			w->lens[w->head] = 0;
		}
		/* Only this thread touches the slot being filled: copy without the lock. */
		unsigned slot = w->head;
		size_t take = SLOT_SIZE - w->lens[slot];
		if (take > len)
			take = len;
		pthread_mutex_unlock(&w->lock);
		memcpy(w->slots[slot] + w->lens[slot], data, take);
		pthread_mutex_lock(&w->lock);
		w->lens[slot] += take;
		data += take;
		len -= take;
		if (w->lens[slot] == SLOT_SIZE)
			queue_filling(w);
	}
	bool failed = w->failed;
	pthread_mutex_unlock(&w->lock);
	if (failed) {
		*err = w->thread_err;
		return -1;
	}
	return 0;
}

int blob_writer_finish(struct blob_writer *w, char hex_out[SHA512_HEX_SIZE], struct rkt_error *err)
{
	pthread_mutex_lock(&w->lock);
	if (w->filling)
		queue_filling(w);
	w->done = true;
	pthread_cond_signal(&w->filled);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->started = false;
	if (w->failed) {
		*err = w->thread_err;
		return -1;
	}
	sha512_final_hex(&w->hash, hex_out);
	return 0;
}

void blob_writer_close(struct blob_writer *w)
{
	if (!w)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->cancelled = true;
		pthread_cond_broadcast(&w->filled);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	for (int i = 0; i < SLOT_COUNT; i++)
		free(w->slots[i]);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->filled);
	pthread_cond_destroy(&w->freed);
	free(w);
}
