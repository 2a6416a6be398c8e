#define _GNU_SOURCE
#include "docker_squash.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "inflate_source.h"
#include "path.h"
#include "tar_write.h"

#define WHITEOUT ".wh."
#define OPAQUE ".wh..wh..opq"
#define ROOTFS_PREFIX "rootfs/"
/* A layer path with the prefix still fits the extractor's PATH_MAX buffers. */
#define LAYER_PATH_MAX (PATH_MAX - sizeof ROOTFS_PREFIX)
/* Each such hardlink reads its layer again: a bound on that work for a hostile image. */
#define MAX_LINKS_AS_FILES 256

/* What the layers do to one path. */
struct squash_path {
	char *path; /* NULL: empty slot */
	size_t len;
	/* The highest layer that does each; -1: none. A layer removes what the layers below put
	 * at the path, and under it, with a whiteout or by putting a non-directory there. */
	int provider, removed, opaque;
	struct tar_entry *top_dir; /* the provider's entry when it is a directory: its metadata wins */
	/* A hardlink of layer `copied_layer` to this path, which a higher layer removed, is
	 * written as the file itself, at `copied_as`; the layer's later links link to that. */
	char *copied_as;
	int copied_layer;
	bool written; /* a directory already in the stream */
};

struct path_index {
	struct squash_path *slots;
	size_t cap, used;
	/* Random per index, so that a layer cannot be crafted with names that all land in one
	 * probe chain (quadratic work for a hostile image). */
	uint64_t seed;
};

enum phase { PHASE_START, PHASE_ENTRIES, PHASE_DATA, PHASE_PADDING, PHASE_DONE };

struct docker_squash {
	struct tar_source src; /* first member: the tar reader hands us this pointer */
	struct path_index index;
	const char *const *layers;
	int count;
	struct growing_file *bottom_follow; /* the bottom layer's growth while it downloads, or NULL */
	int layer; /* the layer being streamed */
	struct inflate_source *in; /* NULL between layers */
	struct tar_reader reader;
	/* A second read of the layer, for the file of a hardlink whose target a higher layer
	 * removed; NULL when none is open. */
	struct inflate_source *copy_in;
	struct tar_reader copy_reader;
	struct tar_reader *data_from; /* the reader of the entry whose data is streamed */
	int links_as_files;
	struct tar_buf out; /* headers on their way out */
	enum phase phase;
	uint64_t data_left;
	size_t padding;
	squash_chunk_fn on_chunk;
	void *ctx;
};

static const uint8_t zeros[2 * TAR_BLOCK];

static size_t slot_of(const struct path_index *ix, const char *path, size_t len)
{
	uint64_t h = 1469598103934665603ULL ^ ix->seed; /* FNV-1a, seeded */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)path[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29)) & (ix->cap - 1);
}

static struct squash_path *index_find(const struct path_index *ix, const char *path, size_t len)
{
	if (ix->cap == 0)
		return NULL;
	for (size_t i = slot_of(ix, path, len); ix->slots[i].path; i = (i + 1) & (ix->cap - 1))
		if (ix->slots[i].len == len && memcmp(ix->slots[i].path, path, len) == 0)
			return &ix->slots[i];
	return NULL;
}

static int index_grow(struct path_index *ix)
{
	size_t cap = ix->cap ? ix->cap * 2 : 1024;
	struct squash_path *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return -1;
	struct path_index bigger = { .slots = slots, .cap = cap, .used = ix->used, .seed = ix->seed };
	for (size_t i = 0; i < ix->cap; i++) {
		if (!ix->slots[i].path)
			continue;
		size_t j = slot_of(&bigger, ix->slots[i].path, ix->slots[i].len);
		while (slots[j].path)
			j = (j + 1) & (cap - 1);
		slots[j] = ix->slots[i];
	}
	free(ix->slots);
	*ix = bigger;
	return 0;
}

/* The record of `path` (its first `len` bytes), made if new; NULL when out of memory. */
static struct squash_path *index_add(struct path_index *ix, const char *path, size_t len)
{
	struct squash_path *found = index_find(ix, path, len);
	if (found)
		return found;
	if ((ix->used + 1) * 2 > ix->cap && index_grow(ix) < 0)
		return NULL;
	size_t i = slot_of(ix, path, len);
	while (ix->slots[i].path)
		i = (i + 1) & (ix->cap - 1);
	struct squash_path *p = &ix->slots[i];
	if (!(p->path = strndup(path, len)))
		return NULL;
	p->len = len;
	p->provider = p->removed = p->opaque = p->copied_layer = -1;
	ix->used++;
	return p;
}

static void free_top_dir(struct squash_path *p)
{
	if (p->top_dir)
		tar_entry_free(p->top_dir);
	free(p->top_dir);
	p->top_dir = NULL;
}

static void index_free(struct path_index *ix)
{
	for (size_t i = 0; i < ix->cap; i++) {
		free(ix->slots[i].path);
		free(ix->slots[i].copied_as);
		free_top_dir(&ix->slots[i]);
	}
	free(ix->slots);
	memset(ix, 0, sizeof *ix);
}

static bool supported_type(char type)
{
	return type == TAR_REGULAR || type == TAR_HARDLINK || type == TAR_SYMLINK || type == TAR_CHAR ||
	       type == TAR_BLOCK_DEVICE || type == TAR_DIRECTORY || type == TAR_FIFO;
}

/* `name` relative to the image root into `out` ("" for the root itself), refusing a name
 * that climbs out of it. */
static int layer_path(const char *layer, const char *name, char out[LAYER_PATH_MAX], struct rkt_error *err)
{
	int absolute;
	enum path_clean_result r = path_clean(name, out, LAYER_PATH_MAX, &absolute);
	if (r == PATH_CLEAN_TOO_LONG)
		return rkt_fail(err, "squash layer", layer, "entry name too long: \"%.200s\"", name);
	if (r == PATH_CLEAN_ESCAPES)
		return rkt_fail(err, "squash layer", layer, "entry \"%.200s\" points outside the image root", name);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Records what entry `e` of `layer` does to its path; takes a directory entry over. */
static int index_entry(struct docker_squash *s, int layer, struct tar_entry *e, struct rkt_error *err)
{
	const char *where = s->layers[layer];
	char path[LAYER_PATH_MAX];
	if (layer_path(where, e->name, path, err) < 0)
		return -1;
	if (path[0] == '\0')
		return 0;
	char *base = (char *)base_name(path);
	size_t dir_len = base == path ? 0 : (size_t)(base - path - 1);
	struct squash_path *p;
	if (strcmp(base, OPAQUE) == 0) {
		if (!(p = index_add(&s->index, path, dir_len)))
			return rkt_fail_sys(err, "squash layer", where, ENOMEM);
		p->opaque = layer;
		return 0;
	}
	if (strncmp(base, WHITEOUT, strlen(WHITEOUT)) == 0) {
		const char *target = base + strlen(WHITEOUT);
		if (!*target || strcmp(target, ".") == 0 || strcmp(target, "..") == 0)
			return rkt_fail(err, "squash layer", where, "malformed whiteout \"%.200s\"", e->name);
		memmove(base, target, strlen(target) + 1);
		if (!(p = index_add(&s->index, path, strlen(path))))
			return rkt_fail_sys(err, "squash layer", where, ENOMEM);
		p->removed = layer;
		return 0;
	}
	if (!supported_type(e->type))
		return rkt_fail(err, "squash layer", where, "unsupported tar entry type '%c' for \"%.200s\"", e->type,
				e->name);
	if (!(p = index_add(&s->index, path, strlen(path))))
		return rkt_fail_sys(err, "squash layer", where, ENOMEM);
	p->provider = layer;
	if (e->type != TAR_DIRECTORY)
		p->removed = layer;
	free_top_dir(p);
	if (e->type == TAR_DIRECTORY) {
		if (!(p->top_dir = malloc(sizeof *p->top_dir)))
			return rkt_fail_sys(err, "squash layer", where, ENOMEM);
		*p->top_dir = *e;
		memset(e, 0, sizeof *e);
	}
	return 0;
}

/* Reads the entry names of `layer` into the index. */
static int index_layer(struct docker_squash *s, int layer, struct rkt_error *err)
{
	struct inflate_source *in = inflate_source_open(s->layers[layer], NULL, NULL, NULL, err);
	if (!in)
		return -1;
	struct tar_reader reader;
	tar_reader_init(&reader, inflate_source_tar(in), s->layers[layer]);
	struct tar_entry e;
	int rc;
	while ((rc = tar_reader_next(&reader, &e, err)) > 0) {
		rc = index_entry(s, layer, &e, err);
		tar_entry_free(&e);
		if (rc < 0)
			break;
	}
	inflate_source_close(in);
	return rc;
}

/* The entry to write for `path` of `layer`, or NULL when a higher layer replaced, deleted
 * or hid it. Only the layers above the bottom one are indexed: no layer hides anything of
 * a higher one, so the bottom layer's own entries decide nothing. */
static const struct tar_entry *visible_entry(const struct docker_squash *s, int layer, const char *path,
					     const struct tar_entry *e)
{
	const struct squash_path *self = index_find(&s->index, path, strlen(path));
	if (self && self->removed > layer)
		return NULL;
	const struct squash_path *root = index_find(&s->index, "", 0);
	if (root && root->opaque > layer)
		return NULL;
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		const struct squash_path *a = index_find(&s->index, path, (size_t)(slash - path));
		if (a && (a->removed > layer || a->opaque > layer))
			return NULL;
	}
	if (!self || self->provider <= layer)
		return e;
	return self->top_dir && e->type == TAR_DIRECTORY ? self->top_dir : NULL;
}

/* Puts the header of `file`, under `name`, into s->out; its data comes from `reader`. */
static int write_file_header(struct docker_squash *s, const char *name, const struct tar_entry *file,
			     struct tar_reader *reader, struct rkt_error *err)
{
	if (tar_write_header(&s->out, name, file) < 0)
		return rkt_fail_sys(err, "squash layer", s->layers[s->layer], ENOMEM);
	s->data_from = reader;
	s->data_left = file->type == TAR_REGULAR ? file->size : 0;
	s->padding = tar_padding(s->data_left);
	return 1;
}

/* How the layer being streamed is read: only the bottom one may still be downloading. */
static struct growing_file *layer_follow(const struct docker_squash *s)
{
	return s->layer == 0 ? s->bottom_follow : NULL;
}

static void close_copy(struct docker_squash *s)
{
	inflate_source_close(s->copy_in);
	s->copy_in = NULL;
}

/* Puts the header of the file that `target` names in the current layer, found by reading
 * the layer again, into s->out under `name` (the hardlink at `path`); returns 1. A file
 * that appears under that name more than once is taken at its first. */
static int write_link_as_file(struct docker_squash *s, struct squash_path *target, const char *name, const char *path,
			      struct rkt_error *err)
{
	const char *where = s->layers[s->layer];
	if (++s->links_as_files > MAX_LINKS_AS_FILES)
		return rkt_fail(err, "squash layer", where,
				"more than %d hardlinks to files that higher layers removed; flatten the image",
				MAX_LINKS_AS_FILES);
	if (!(s->copy_in = inflate_source_open(where, layer_follow(s), NULL, NULL, err)))
		return -1;
	tar_reader_init(&s->copy_reader, inflate_source_tar(s->copy_in), where);
	struct tar_entry e;
	char clean[LAYER_PATH_MAX];
	int rc;
	while ((rc = tar_reader_next(&s->copy_reader, &e, err)) > 0) {
		if (layer_path(where, e.name, clean, err) < 0)
			rc = -1;
		else if (strcmp(clean, target->path) == 0)
			break;
		tar_entry_free(&e);
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (rc == 0 || e.type != TAR_REGULAR) {
		if (rc > 0)
			tar_entry_free(&e);
		return rkt_fail(err, "squash layer", where,
				"hardlink \"%.200s\" links to \"%.200s\", not a file before it", path, target->path);
	}
	free(target->copied_as);
	if (!(target->copied_as = strdup(path)))
		rc = rkt_fail_sys(err, "squash layer", where, ENOMEM);
	else
		rc = write_file_header(s, name, &e, &s->copy_reader, err);
	target->copied_layer = s->layer;
	tar_entry_free(&e);
	return rc;
}

/* Puts the header of layer entry `e` into s->out when it is visible; returns 1 when it is,
 * 0 when it is not, -1 on error. */
static int take_entry(struct docker_squash *s, const struct tar_entry *e, struct rkt_error *err)
{
	const char *where = s->layers[s->layer];
	char path[LAYER_PATH_MAX];
	if (layer_path(where, e->name, path, err) < 0)
		return -1;
	if (path[0] == '\0' || strncmp(base_name(path), WHITEOUT, strlen(WHITEOUT)) == 0)
		return 0;
	if (!supported_type(e->type))
		return rkt_fail(err, "squash layer", where, "unsupported tar entry type '%c' for \"%.200s\"", e->type,
				e->name);
	const struct tar_entry *h = visible_entry(s, s->layer, path, e);
	if (!h)
		return 0;
	if (h->type == TAR_DIRECTORY) {
		struct squash_path *p = index_add(&s->index, path, strlen(path));
		if (!p)
			return rkt_fail_sys(err, "squash layer", where, ENOMEM);
		if (p->written)
			return 0;
		p->written = true;
	}
	char name[PATH_MAX], link[PATH_MAX], target[LAYER_PATH_MAX];
	snprintf(name, sizeof name, ROOTFS_PREFIX "%s", path);
	struct tar_entry out = *h;
	if (h->type == TAR_HARDLINK) {
		if (layer_path(where, h->linkname, target, err) < 0)
			return -1;
		/* A higher layer removed the file the link shares; the link keeps it (as docker does). */
		if (!visible_entry(s, s->layer, target, &(struct tar_entry){ .type = TAR_REGULAR })) {
			struct squash_path *t = index_add(&s->index, target, strlen(target));
			if (!t)
				return rkt_fail_sys(err, "squash layer", where, ENOMEM);
			if (t->copied_layer != s->layer)
				return write_link_as_file(s, t, name, path, err);
			snprintf(target, sizeof target, "%s", t->copied_as);
		}
		snprintf(link, sizeof link, ROOTFS_PREFIX "%s", target);
		out.linkname = link;
	}
	return write_file_header(s, name, &out, &s->reader, err);
}

/* Fills s->out with the next visible entry's header; 0 after the last layer. */
static int next_entry(struct docker_squash *s, struct rkt_error *err)
{
	s->out.len = 0;
	close_copy(s);
	for (;;) {
		if (!s->in) {
			if (s->layer == s->count)
				return 0;
			if (!(s->in = inflate_source_open(s->layers[s->layer], layer_follow(s), NULL, NULL, err)))
				return -1;
			tar_reader_init(&s->reader, inflate_source_tar(s->in), s->layers[s->layer]);
		}
		struct tar_entry e;
		int rc = tar_reader_next(&s->reader, &e, err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			inflate_source_close(s->in);
			s->in = NULL;
			s->layer++;
			continue;
		}
		rc = take_entry(s, &e, err);
		tar_entry_free(&e);
		if (rc != 0)
			return rc;
	}
}

static int emit(struct docker_squash *s, const uint8_t *data, size_t len, struct rkt_error *err)
{
	if (s->on_chunk && s->on_chunk(s->ctx, data, len, err) != 0)
		return -1;
	s->src.data = data;
	s->src.len = len;
	s->src.pos = 0;
	return 1;
}

static int refill(struct tar_source *src, struct rkt_error *err)
{
	struct docker_squash *s = (struct docker_squash *)src;
	for (;;) {
		switch (s->phase) {
		case PHASE_START:
			s->phase = PHASE_ENTRIES;
			return emit(s, s->out.data, s->out.len, err);
		case PHASE_ENTRIES: {
			int rc = next_entry(s, err);
			if (rc < 0)
				return -1;
			s->phase = rc ? PHASE_DATA : PHASE_DONE;
			return rc ? emit(s, s->out.data, s->out.len, err) : emit(s, zeros, sizeof zeros, err);
		}
		case PHASE_DATA: {
			if (s->data_left == 0) {
				s->phase = PHASE_PADDING;
				continue;
			}
			const uint8_t *data;
			size_t n;
			if (tar_reader_data(s->data_from, &data, &n, err) < 0)
				return -1;
			s->data_left -= n;
			return emit(s, data, n, err);
		}
		case PHASE_PADDING:
			s->phase = PHASE_ENTRIES;
			if (s->padding)
				return emit(s, zeros, s->padding, err);
			continue;
		case PHASE_DONE:
			return 0;
		}
	}
}

/* `manifest` and `rootfs`, the entries no layer provides. */
static int write_start(struct docker_squash *s, const char *manifest, size_t manifest_len, int64_t mtime)
{
	struct tar_entry e = { .type = TAR_REGULAR, .mode = 0644, .size = manifest_len, .mtime = { (time_t)mtime, 0 } };
	if (tar_write_header(&s->out, "manifest", &e) < 0)
		return -1;
	if (tar_buf_append(&s->out, manifest, manifest_len) < 0 ||
	    tar_buf_append_zeros(&s->out, tar_padding(manifest_len)) < 0)
		return -1;
	struct tar_entry rootfs = { .type = TAR_DIRECTORY, .mode = 0755, .mtime = { (time_t)mtime, 0 } };
	return tar_write_header(&s->out, "rootfs", &rootfs);
}

struct docker_squash *docker_squash_open(const char *const *layers, int count, struct growing_file *bottom_follow,
					 const char *manifest, size_t manifest_len, int64_t mtime,
					 squash_chunk_fn on_chunk, void *ctx, struct rkt_error *err)
{
	struct docker_squash *s = calloc(1, sizeof *s);
	if (!s) {
		rkt_fail_sys(err, "squash layers", "", ENOMEM);
		return NULL;
	}
	s->src.refill = refill;
	s->layers = layers;
	s->count = count;
	s->bottom_follow = bottom_follow;
	s->on_chunk = on_chunk;
	s->ctx = ctx;
	int rc = 0;
	if (getrandom(&s->index.seed, sizeof s->index.seed, 0) != sizeof s->index.seed)
		rc = rkt_fail_sys(err, "squash layers", "getrandom", errno);
	for (int layer = 1; rc == 0 && layer < count; layer++)
		rc = index_layer(s, layer, err);
	if (rc == 0 && write_start(s, manifest, manifest_len, mtime) < 0)
		rc = rkt_fail_sys(err, "squash layers", "", ENOMEM);
	if (rc < 0) {
		docker_squash_close(s);
		return NULL;
	}
	return s;
}

struct tar_source *docker_squash_tar(struct docker_squash *s)
{
	return &s->src;
}

int docker_squash_drain(struct docker_squash *s, struct rkt_error *err)
{
	int rc;
	while ((rc = refill(&s->src, err)) > 0) {
	}
	return rc;
}

void docker_squash_close(struct docker_squash *s)
{
	if (!s)
		return;
	inflate_source_close(s->in);
	close_copy(s);
	index_free(&s->index);
	tar_buf_free(&s->out);
	free(s);
}
