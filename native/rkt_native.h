/* The functions src/sys/native.ts calls through bun:ffi. Each returns 0 on success, or -1
 * with *err describing the failure. */
#ifndef RKT_NATIVE_H
#define RKT_NATIVE_H

#include <stdint.h>

#include "error.h"

/* Everything else in the library is hidden (built with -fvisibility=hidden). */
#define RKT_EXPORT __attribute__((visibility("default")))

/* A heap buffer handed to the caller; free it with rkt_free. len is -1 when absent. */
struct rkt_blob {
	uint8_t *data;
	int64_t len;
};

RKT_EXPORT void rkt_free(void *p);

enum rkt_import_flags {
	/* `source` is the caller's scratch file, which no one else writes: it becomes the blob
	 * (blob_path_out = source) instead of being copied. */
	RKT_IMPORT_TAKE_SOURCE = 1,
};

/* Copies `source` as it is (gzip, bzip2, xz or plain tar) into a new temp file in
 * `tmp_dir` (or takes it, with RKT_IMPORT_TAKE_SOURCE), then reads that blob-to-be once: hashes the uncompressed tar, checks the layout,
 * captures the top-level `manifest` entry and, when `render_dir` is not NULL, extracts the
 * rootfs beneath it (as rkt_extract with SKIP_EXISTING | STRIP_ROOTFS | KEEP_RESERVE) and
 * computes its version 2 tree hash on the way into `tree_hash_out` ("" when that is not
 * possible: extractor_tree_hash). Stops before the filesystem of `tmp_dir` drops under
 * its reserve (disk_reserve.h). Nothing is synced: the caller records the blob and the
 * tree as written without a sync (src/store/written-this-boot.ts). */
RKT_EXPORT int rkt_import_aci(const char *source, const char *tmp_dir, const char *render_dir, int32_t flags,
			      char blob_path_out[4096], char sha512_hex_out[129], struct rkt_blob *manifest_out,
			      char tree_hash_out[140], struct rkt_error *err);

/* Squashes the `count` layer files of a Docker image (`layers`: NUL-terminated paths back
 * to back, bottom first; gzip, bzip2, xz or plain tar) into an ACI with `manifest` (JSON,
 * NUL-terminated) as docker_squash.h describes, in one pass: writes that tar into a new temp
 * file in `tmp_dir` (the blob), hashes it, and when `render_dir` is not NULL extracts the
 * rootfs beneath it as rkt_import_aci does. `image` names the image in messages.
 *
 * The import runs on a thread of its own from rkt_docker_import_start (which copies its
 * arguments) to rkt_docker_import_finish, so that the bottom layer can still be
 * downloading meanwhile: its file must exist, and is read as it grows (growing_file.h)
 * until rkt_docker_import_source_end says it is whole (its digest checked) or broken. The
 * other layers must be whole before the start. */
struct rkt_docker_import;

/* NULL (with *err set) when the thread cannot start. */
RKT_EXPORT struct rkt_docker_import *rkt_docker_import_start(const char *layers, int32_t count, const char *manifest,
							     int64_t mtime, const char *image, const char *tmp_dir,
							     const char *render_dir, struct rkt_error *err);

/* The bottom layer's file grew. Returns 1 while the import goes on, 0 once it has stopped
 * (failed: finishing gives its error, and the rest of the download is not needed). */
RKT_EXPORT int32_t rkt_docker_import_grew(struct rkt_docker_import *job);

/* The bottom layer's file is whole and checked (`whole` 1), or will not be (0: the import
 * fails on it). Required before finishing. */
RKT_EXPORT void rkt_docker_import_source_end(struct rkt_docker_import *job, int32_t whole);

/* Waits for the import and frees `job`; its results as rkt_import_aci gives them. */
RKT_EXPORT int rkt_docker_import_finish(struct rkt_docker_import *job, char blob_path_out[4096],
					char sha512_hex_out[129], char tree_hash_out[140], struct rkt_error *err);

/* Reads a stored blob (any format) once: the SHA-512 of its uncompressed tar into
 * `sha512_hex_out` and, when `tar_out` is not NULL, the uncompressed tar into that new file
 * (created 0666 minus umask, fsynced). */
RKT_EXPORT int rkt_read_blob(const char *blob, const char *tar_out, char sha512_hex_out[129], struct rkt_error *err);

enum rkt_extract_flags {
	RKT_EXTRACT_SKIP_EXISTING = 1,
	RKT_EXTRACT_STRIP_ROOTFS = 2,
	RKT_EXTRACT_WHITELIST = 4,
	RKT_EXTRACT_WHITELIST_DIRS = 8,
	RKT_EXTRACT_UID_SHIFT = 16,
	RKT_EXTRACT_KEEP_RESERVE = 32, /* stop before the destination's filesystem drops under its reserve */
};

/* Extracts the tar `tar_path` (plain, or compressed as rkt_import_aci accepts) beneath `dest_dir`. `whitelist` holds
 * `whitelist_count` NUL-terminated paths back to back. */
RKT_EXPORT int rkt_extract(const char *tar_path, const char *dest_dir, int32_t flags, int64_t uid_shift,
			   const char *whitelist, int32_t whitelist_count, struct rkt_error *err);

/* The tree hash of `dir` by a walk (tree_digest.h): version 1 "sha512-...", version 2 "v2:sha512-...". */
RKT_EXPORT int rkt_tree_hash(const char *dir, int32_t version, char hash_out[140], struct rkt_error *err);

enum rkt_copy_flags { RKT_COPY_UID_SHIFT = 1 };

RKT_EXPORT int rkt_copy_tree(const char *src, const char *dest, int32_t flags, int64_t uid_shift,
			     struct rkt_error *err);

/* rkt_copy_tree without a uid shift, while a second thread computes rkt_tree_hash of `src`. */
RKT_EXPORT int rkt_copy_tree_hashed(const char *src, const char *dest, int32_t version, char hash_out[140],
				    struct rkt_error *err);

RKT_EXPORT int rkt_remove_tree(const char *path, struct rkt_error *err);

/* Makes a network namespace with `lo` up, bind-mounted at `path` (an existing file). */
RKT_EXPORT int rkt_netns_create(const char *path, struct rkt_error *err);

/* The interface the caller's route to `ipv4` leaves by. */
RKT_EXPORT int rkt_route_device(const char *ipv4, char ifname_out[16], struct rkt_error *err);

/* The link kind of an interface (`veth`, `bridge`, ...); empty for a link without one. */
RKT_EXPORT int rkt_link_kind(const char *ifname, char kind_out[32], struct rkt_error *err);

/* For `rkt list`, alone in librktlist.so (native/build.ts), its buffer freed with libc's free:
 * the pods of the state directories `state_dirs` (`count` names, each NUL-terminated, back to
 * back) below `pods_dir`, as one JSON array sorted by name (a pod seen in two state
 * directories counts in the later one), each with whether another process holds its lock, the
 * apps of its list summary (from the list cache, else `list-summary`; else the text of `pod`)
 * and (when locked) the text of `net-info.json`; a missing state directory is skipped. The
 * objects' fields are described in pod_scan.c. */
RKT_EXPORT int rkt_pod_scan(const char *pods_dir, const char *state_dirs, int32_t count, struct rkt_blob *out,
			    struct rkt_error *err);

/* Also in librktlist.so, for prepare and gc: the list cache (list_cache.c) that rkt_pod_scan
 * reads. Appends the record of the pod directory `pod_dir` (named by its UUID) with its list
 * summary `summary` (`summary_len` bytes) to the cache in `pods_dir`. */
RKT_EXPORT int rkt_list_cache_append(const char *pods_dir, const char *pod_dir, const uint8_t *summary,
				     int64_t summary_len, struct rkt_error *err);

/* Rewrites the cache in `pods_dir` with only the records of pods still in one of the state
 * directories `state_dirs` (as rkt_pod_scan takes them) under the same inode, when that drops
 * a record or an invalid tail; a missing cache stays missing. */
RKT_EXPORT int rkt_list_cache_compact(const char *pods_dir, const char *state_dirs, int32_t count,
				      struct rkt_error *err);

#endif
