/* Import of an ACI: the file is kept as it came (compressed or not) and read once, through
 * an inflate_source whose second thread decompresses while this one hashes the tar (the
 * image ID), scans its headers for the manifest and, when asked, extracts the rootfs: the
 * tree is written in the same pass, and no uncompressed copy of the archive is ever made.
 * Two cores, like `tar -xzf` with gzip in its own process. The layout is checked on the
 * way as appc's ValidateArchive does (only `manifest`, `rootfs` and `rootfs/...`), and
 * writing stops before the filesystem's reserve is reached. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk_reserve.h"
#include "extract.h"
#include "fsmeta.h"
#include "inflate_source.h"
#include "path.h"
#include "rkt_native.h"
#include "sha512.h"
#include "tar.h"

#define MANIFEST_MAX (64u << 20)

/* What the import does with the stream besides hashing it: render the image's rootfs. */
struct import {
	const char *source;
	struct sha512 hash;
	struct extractor *render; /* NULL when not rendering */
};

static int hash_chunk(void *ctx, const uint8_t *data, size_t len, struct rkt_error *err)
{
	(void)err;
	sha512_update(&((struct import *)ctx)->hash, data, len);
	return 0;
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
static int consume(struct import *imp, struct inflate_source *stream, struct rkt_blob *manifest, struct rkt_error *err)
{
	struct tar_reader reader;
	tar_reader_init(&reader, inflate_source_tar(stream), imp->source);
	struct tar_entry e;
	bool have_rootfs = false;
	int rc;
	while ((rc = tar_reader_next(&reader, &e, err)) > 0) {
		enum layout_entry kind;
		rc = classify_entry(&e, imp->source, &kind, err);
		if (rc == 0 && kind == LAYOUT_MANIFEST && manifest->len < 0)
			rc = capture(&reader, &e, imp->source, manifest, err);
		else if (rc == 0 && kind != LAYOUT_MANIFEST && imp->render)
			rc = extractor_entry(imp->render, &reader, &e, err);
		have_rootfs |= kind == LAYOUT_ROOTFS;
		tar_entry_free(&e);
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	/* Without a manifest the caller reports that first, as ValidateArchive does. */
	if (manifest->len >= 0 && !have_rootfs)
		return rkt_fail(err, "bad image layout in", imp->source, "no rootfs found in layout");
	if (imp->render && extractor_finish(imp->render, err) < 0)
		return -1;
	return inflate_source_drain(stream, err);
}

/* Copies `source` as it is into a new temp file in `tmp_dir` (by the kernel, a reflink
 * where the filesystem has them); returns the open temp file. */
static int copy_to_temp(const char *source, const char *tmp_dir, char path_out[4096], struct rkt_error *err)
{
	if (path_join(path_out, 4096, tmp_dir, "blob-XXXXXX") < 0)
		return rkt_fail_sys(err, "create temp file in", tmp_dir, ENAMETOOLONG);
	int in = open(source, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return rkt_fail_sys(err, "open", source, errno);
	int out = mkostemp(path_out, O_CLOEXEC);
	int rc = out < 0 ? rkt_fail_sys(err, "create temp file in", tmp_dir, errno) : 0;
	struct stat st;
	if (rc == 0 && fstat(in, &st) < 0)
		rc = rkt_fail_sys(err, "stat", source, errno);
	if (rc == 0)
		rc = disk_reserve_check(out, (uint64_t)st.st_size, "import", source, err);
	off_t offset = 0;
	if (rc == 0 && fsmeta_copy_range(in, &offset, out, (uint64_t)st.st_size) < 0)
		rc = rkt_fail_sys(err, "copy", source, errno);
	close(in);
	if (rc == 0)
		return out;
	if (out >= 0) {
		close(out);
		unlink(path_out);
	}
	path_out[0] = '\0';
	return -1;
}

/* The blob-to-be: `source` itself when the caller hands it over, else a copy. */
static int open_blob(const char *source, const char *tmp_dir, bool take_source, char path_out[4096],
		     struct rkt_error *err)
{
	if (!take_source)
		return copy_to_temp(source, tmp_dir, path_out, err);
	snprintf(path_out, 4096, "%s", source);
	int fd = open(source, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? rkt_fail_sys(err, "open", source, errno) : fd;
}

int rkt_import_aci(const char *source, const char *tmp_dir, const char *render_dir, int32_t flags,
		   char blob_path_out[4096], char sha512_hex_out[129], struct rkt_blob *manifest_out,
		   char tree_hash_out[TREE_HASH_MAX], struct rkt_error *err)
{
	tree_hash_out[0] = '\0';
	manifest_out->data = NULL;
	manifest_out->len = -1;
	bool take_source = flags & RKT_IMPORT_TAKE_SOURCE;
	int fd = open_blob(source, tmp_dir, take_source, blob_path_out, err);
	if (fd < 0)
		return -1;
	/* The stream is read from the blob-to-be, which no one else can change: the image ID is
	 * the hash of exactly the blob that is kept. */
	struct import imp = { .source = source };
	sha512_init(&imp.hash);
	struct inflate_source *stream = inflate_source_open(blob_path_out, NULL, hash_chunk, &imp, err);
	int rc = stream ? 0 : -1;
	if (rc == 0 && render_dir) {
		imp.render =
			extractor_new(source, render_dir,
				      RKT_EXTRACT_SKIP_EXISTING | RKT_EXTRACT_STRIP_ROOTFS | RKT_EXTRACT_KEEP_RESERVE,
				      0, NULL, 0, err);
		if (!imp.render)
			rc = -1;
		else
			extractor_name_reserve_failures(imp.render, "import", source);
		if (rc == 0)
			rc = extractor_hash_tree(imp.render, err);
	}
	if (rc == 0)
		rc = consume(&imp, stream, manifest_out, err);
	if (rc == 0 && imp.render)
		rc = extractor_tree_hash(imp.render, tree_hash_out, err);
	extractor_free(imp.render);
	inflate_source_close(stream);
	if (close(fd) < 0 && rc == 0)
		rc = rkt_fail_sys(err, "close", blob_path_out, errno);
	if (rc < 0) {
		/* The stream read our copy of the source: its errors are the source's. */
		if (strcmp(err->path, blob_path_out) == 0)
			snprintf(err->path, sizeof err->path, "%s", source);
		if (!take_source)
			unlink(blob_path_out);
		blob_path_out[0] = '\0';
		free(manifest_out->data);
		manifest_out->data = NULL;
		manifest_out->len = -1;
		return -1;
	}
	sha512_final_hex(&imp.hash, sha512_hex_out);
	return 0;
}

void rkt_free(void *p)
{
	free(p);
}
