#define _GNU_SOURCE
#include "growing_file.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

enum growth { GROWING, WHOLE, BROKEN };

struct growing_file {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	enum growth state;
	/* Counts the writer's calls: a reader that saw no data waits for the next one. */
	uint64_t generation;
};

struct growing_file *growing_file_new(void)
{
	struct growing_file *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->changed, NULL);
	return g;
}

static void change(struct growing_file *g, enum growth state)
{
	pthread_mutex_lock(&g->lock);
	if (g->state == GROWING)
		g->state = state;
	g->generation++;
	pthread_cond_broadcast(&g->changed);
	pthread_mutex_unlock(&g->lock);
}

void growing_file_grew(struct growing_file *g)
{
	change(g, GROWING);
}

void growing_file_end(struct growing_file *g, bool whole)
{
	change(g, whole ? WHOLE : BROKEN);
}

static int broken(const char *path, struct rkt_error *err)
{
	return rkt_fail(err, "read", path, "the download stopped before the end");
}

ssize_t growing_file_read(struct growing_file *g, int fd, void *buf, size_t len, const char *path,
			  struct rkt_error *err)
{
	for (;;) {
		enum growth state = WHOLE;
		uint64_t generation = 0;
		if (g) {
			pthread_mutex_lock(&g->lock);
			state = g->state, generation = g->generation;
			pthread_mutex_unlock(&g->lock);
		}
		ssize_t n = read(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rkt_fail_sys(err, "read", path, errno);
		/* The state was taken before the read: once WHOLE, every byte was there to read. */
		if (n > 0 || state == WHOLE)
			return n;
		if (state == BROKEN)
			return broken(path, err);
		pthread_mutex_lock(&g->lock);
		while (g->generation == generation)
			pthread_cond_wait(&g->changed, &g->lock);
		pthread_mutex_unlock(&g->lock);
	}
}

int growing_file_wait_end(struct growing_file *g, const char *path, struct rkt_error *err)
{
	pthread_mutex_lock(&g->lock);
	while (g->state == GROWING)
		pthread_cond_wait(&g->changed, &g->lock);
	enum growth state = g->state;
	pthread_mutex_unlock(&g->lock);
	return state == WHOLE ? 0 : broken(path, err);
}

void growing_file_free(struct growing_file *g)
{
	if (!g)
		return;
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->changed);
	free(g);
}
