/* Import of a Docker image's layers without an intermediate ACI: the squash stream
 * (docker_squash.h) is hashed for the image ID and written once as the blob (a plain tar)
 * by a thread of its own, while the import's thread extracts it into the rendered tree when
 * asked; all in one pass over the layers, with their decompression on a third thread. The
 * import's thread runs beside the caller, who may still be downloading the bottom layer
 * (rkt_native.h). The blob and the tree stop before the filesystem's reserve is reached. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob_writer.h"
#include "docker_squash.h"
#include "extract.h"
#include "growing_file.h"
#include "path.h"
#include "rkt_native.h"
#include "tar.h"

static int take_chunk(void *ctx, const uint8_t *data, size_t len, struct rkt_error *err)
{
	return blob_writer_push(ctx, data, len, err);
}

/* Reads the squash stream to its end, extracting every entry but `manifest` into `render`
 * (when not NULL). */
static int consume(struct docker_squash *squash, struct extractor *render, const char *image, struct rkt_error *err)
{
	struct tar_reader reader;
	tar_reader_init(&reader, docker_squash_tar(squash), image);
	struct tar_entry e;
	int rc;
	while ((rc = tar_reader_next(&reader, &e, err)) > 0) {
		if (render && strcmp(e.name, "manifest") != 0)
			rc = extractor_entry(render, &reader, &e, err);
		tar_entry_free(&e);
		if (rc < 0)
			return -1;
	}
	if (rc < 0 || (render && extractor_finish(render, err) < 0))
		return -1;
	return docker_squash_drain(squash, err);
}

/* The layer paths of `list` (`count` NUL-terminated names back to back), in a new array. */
static const char **split_layers(const char *list, int32_t count)
{
	const char **layers = calloc(count > 0 ? (size_t)count : 1, sizeof *layers);
	for (int32_t i = 0; layers && i < count; i++) {
		layers[i] = list;
		list += strlen(list) + 1;
	}
	return layers;
}

struct rkt_docker_import {
	/* The arguments, copied. */
	char *layers, *manifest, *image, *tmp_dir, *render_dir;
	int32_t count;
	int64_t mtime;
	struct growing_file *bottom;
	pthread_t thread;
	bool stopped; /* set by the thread as it ends (atomic) */
	int rc;
	char blob_path[4096], sha512_hex[129], tree_hash[TREE_HASH_MAX];
	struct rkt_error err;
};

static int import_layers(const char *layers, int32_t count, struct growing_file *bottom, const char *manifest,
			 int64_t mtime, const char *image, const char *tmp_dir, const char *render_dir,
			 char blob_path_out[4096], char sha512_hex_out[129], char tree_hash_out[TREE_HASH_MAX],
			 struct rkt_error *err)
{
	tree_hash_out[0] = '\0';
	const char **layer_paths = split_layers(layers, count);
	if (!layer_paths)
		return rkt_fail_sys(err, "import", image, ENOMEM);
	int rc = 0, fd = -1;
	if (path_join(blob_path_out, 4096, tmp_dir, "blob-XXXXXX") < 0)
		rc = rkt_fail_sys(err, "create temp file in", tmp_dir, ENAMETOOLONG);
	if (rc == 0 && (fd = mkostemp(blob_path_out, O_CLOEXEC)) < 0)
		rc = rkt_fail_sys(err, "create temp file in", tmp_dir, errno);
	struct blob_writer *blob = NULL;
	if (rc == 0 && !(blob = blob_writer_open(fd, blob_path_out, "import", image, err)))
		rc = -1;
	struct docker_squash *squash = NULL;
	if (rc == 0 && !(squash = docker_squash_open(layer_paths, count, bottom, manifest, strlen(manifest), mtime,
						     take_chunk, blob, err)))
		rc = -1;
	struct extractor *render = NULL;
	if (rc == 0 && render_dir) {
		render = extractor_new(image, render_dir,
				       RKT_EXTRACT_SKIP_EXISTING | RKT_EXTRACT_STRIP_ROOTFS | RKT_EXTRACT_KEEP_RESERVE,
				       0, NULL, 0, err);
		if (!render)
			rc = -1;
		else
			extractor_name_reserve_failures(render, "import", image);
		if (rc == 0)
			rc = extractor_hash_tree(render, err);
	}
	if (rc == 0)
		rc = consume(squash, render, image, err);
	/* The squash may stop reading the bottom layer before its end (what follows a gzip
	 * stream is ignored): the import succeeds only on a layer the download has checked. */
	if (rc == 0 && bottom && count > 0)
		rc = growing_file_wait_end(bottom, layer_paths[0], err);
	if (rc == 0 && render)
		rc = extractor_tree_hash(render, tree_hash_out, err);
	if (rc == 0)
		rc = blob_writer_finish(blob, sha512_hex_out, err);
	/* A failed import reads no more of the bottom layer: its decompression thread, which may
	 * be waiting for the download, is told so before the squash's close waits for it. */
	if (rc < 0 && bottom)
		growing_file_end(bottom, false);
	blob_writer_close(blob);
	extractor_free(render);
	docker_squash_close(squash);
	free(layer_paths);
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = rkt_fail_sys(err, "close", blob_path_out, errno);
	if (rc < 0) {
		if (fd >= 0)
			unlink(blob_path_out);
		blob_path_out[0] = '\0';
		return -1;
	}
	return 0;
}

static void *run_import(void *arg)
{
	struct rkt_docker_import *job = arg;
	job->rc =
		import_layers(job->layers, job->count, job->bottom, job->manifest, job->mtime, job->image, job->tmp_dir,
			      job->render_dir, job->blob_path, job->sha512_hex, job->tree_hash, &job->err);
	__atomic_store_n(&job->stopped, true, __ATOMIC_RELEASE);
	return NULL;
}

/* `count` NUL-terminated strings back to back, copied. */
static char *copy_list(const char *list, int32_t count)
{
	size_t len = 0;
	for (int32_t i = 0; i < count; i++)
		len += strlen(list + len) + 1;
	char *copy = malloc(len ? len : 1);
	return copy ? memcpy(copy, list, len) : NULL;
}

static void free_job(struct rkt_docker_import *job)
{
	growing_file_free(job->bottom);
	free(job->layers);
	free(job->manifest);
	free(job->image);
	free(job->tmp_dir);
	free(job->render_dir);
	free(job);
}

struct rkt_docker_import *rkt_docker_import_start(const char *layers, int32_t count, const char *manifest,
						  int64_t mtime, const char *image, const char *tmp_dir,
						  const char *render_dir, struct rkt_error *err)
{
	struct rkt_docker_import *job = calloc(1, sizeof *job);
	if (!job) {
		rkt_fail_sys(err, "import", image, ENOMEM);
		return NULL;
	}
	job->count = count < 0 ? 0 : count;
	job->mtime = mtime;
	job->layers = copy_list(layers, job->count);
	job->manifest = strdup(manifest);
	job->image = strdup(image);
	job->tmp_dir = strdup(tmp_dir);
	job->render_dir = render_dir ? strdup(render_dir) : NULL;
	job->bottom = growing_file_new();
	if (!job->layers || !job->manifest || !job->image || !job->tmp_dir || (render_dir && !job->render_dir) ||
	    !job->bottom) {
		rkt_fail_sys(err, "import", image, ENOMEM);
		free_job(job);
		return NULL;
	}
	int e = pthread_create(&job->thread, NULL, run_import, job);
	if (e) {
		rkt_fail_sys(err, "start the import thread for", image, e);
		free_job(job);
		return NULL;
	}
	return job;
}

int32_t rkt_docker_import_grew(struct rkt_docker_import *job)
{
	growing_file_grew(job->bottom);
	return !__atomic_load_n(&job->stopped, __ATOMIC_ACQUIRE);
}

void rkt_docker_import_source_end(struct rkt_docker_import *job, int32_t whole)
{
	growing_file_end(job->bottom, whole != 0);
}

int rkt_docker_import_finish(struct rkt_docker_import *job, char blob_path_out[4096], char sha512_hex_out[129],
			     char tree_hash_out[TREE_HASH_MAX], struct rkt_error *err)
{
	pthread_join(job->thread, NULL);
	int rc = job->rc;
	memcpy(blob_path_out, job->blob_path, sizeof job->blob_path);
	memcpy(sha512_hex_out, job->sha512_hex, sizeof job->sha512_hex);
	memcpy(tree_hash_out, job->tree_hash, sizeof job->tree_hash);
	if (rc < 0)
		*err = job->err;
	free_job(job);
	return rc;
}
