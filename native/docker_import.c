/* Import of a Docker image's layers without an intermediate ACI: the squash stream
 * (docker_squash.h) is hashed for the image ID and written once as the blob (a plain tar)
 * by a thread of its own, while this one extracts it into the rendered tree when asked;
 * all in one pass over the layers, with their decompression on a third thread. The blob
 * and the tree stop before the filesystem's reserve is reached. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob_writer.h"
#include "docker_squash.h"
#include "extract.h"
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

int rkt_import_docker_layers(const char *layers, int32_t count, const char *manifest, int64_t mtime, const char *image,
			     const char *tmp_dir, const char *render_dir, char blob_path_out[4096],
			     char sha512_hex_out[129], char tree_hash_out[TREE_HASH_MAX], struct rkt_error *err)
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
	if (rc == 0 && !(squash = docker_squash_open(layer_paths, count, manifest, strlen(manifest), mtime, take_chunk,
						     blob, err)))
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
	if (rc == 0 && render)
		rc = extractor_tree_hash(render, tree_hash_out, err);
	if (rc == 0)
		rc = blob_writer_finish(blob, sha512_hex_out, err);
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
