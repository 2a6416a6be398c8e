/* The tree hash (rkt_tree_hash) of a tree on a second thread, beside other work on the
 * same tree: copying it out (`image render` checks the cached tree while copying it). On
 * two cores, the hash costs little wall time. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "rkt_native.h"
#include "tree_digest.h"

struct hash_job {
	const char *dir;
	int32_t version;
	char hash[TREE_HASH_MAX];
	struct rkt_error err;
	int rc;
	pthread_t thread;
};

static void *hash_tree(void *arg)
{
	struct hash_job *job = arg;
	job->rc = rkt_tree_hash(job->dir, job->version, job->hash, &job->err);
	return NULL;
}

static int start_hash(struct hash_job *job, const char *dir, int32_t version, struct rkt_error *err)
{
	job->dir = dir;
	job->version = version;
	int e = pthread_create(&job->thread, NULL, hash_tree, job);
	return e ? rkt_fail_sys(err, "start hashing thread for", dir, e) : 0;
}

/* Waits for the hash; `rc` is the result of the work beside it, whose error comes first. */
static int finish_hash(struct hash_job *job, int rc, char hash_out[TREE_HASH_MAX], struct rkt_error *err)
{
	pthread_join(job->thread, NULL);
	if (rc < 0)
		return -1;
	if (job->rc < 0) {
		*err = job->err;
		return -1;
	}
	memcpy(hash_out, job->hash, sizeof job->hash);
	return 0;
}

int rkt_copy_tree_hashed(const char *src, const char *dest, int32_t version, char hash_out[TREE_HASH_MAX],
			 struct rkt_error *err)
{
	struct hash_job job;
	if (start_hash(&job, src, version, err) < 0)
		return -1;
	return finish_hash(&job, rkt_copy_tree(src, dest, 0, 0, err), hash_out, err);
}
