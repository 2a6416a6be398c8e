/* A copy of a rendered tree whose source is hashed (rkt_tree_hash) on a second thread at
 * the same time: `image render` checks the cached tree while copying it out, for the
 * wall time of the copy alone on two cores. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "rkt_native.h"

struct hash_job {
	const char *dir;
	char hash[136];
	struct rkt_error err;
	int rc;
};

static void *hash_tree(void *arg)
{
	struct hash_job *job = arg;
	job->rc = rkt_tree_hash(job->dir, job->hash, &job->err);
	return NULL;
}

int rkt_copy_tree_hashed(const char *src, const char *dest, char hash_out[136], struct rkt_error *err)
{
	struct hash_job job = { .dir = src };
	pthread_t thread;
	int e = pthread_create(&thread, NULL, hash_tree, &job);
	if (e)
		return rkt_fail_sys(err, "start hashing thread for", src, e);
	int rc = rkt_copy_tree(src, dest, 0, 0, err);
	pthread_join(thread, NULL);
	if (rc < 0)
		return -1;
	if (job.rc < 0) {
		*err = job.err;
		return -1;
	}
	memcpy(hash_out, job.hash, sizeof job.hash);
	return 0;
}
