#include "tree_digest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void digest_put_u64(struct sha512 *h, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	sha512_update(h, b, 8);
}

void digest_put_bytes(struct sha512 *h, const void *p, size_t n)
{
	digest_put_u64(h, n);
	sha512_update(h, p, n);
}

void digest_put_str(struct sha512 *h, const char *s)
{
	digest_put_bytes(h, s, strlen(s));
}

char digest_type_of(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return 'f';
	case S_IFDIR:
		return 'd';
	case S_IFLNK:
		return 'l';
	case S_IFCHR:
		return 'c';
	case S_IFBLK:
		return 'b';
	case S_IFIFO:
		return 'p';
	default:
		return '?';
	}
}

void digest_put_node(struct sha512 *h, char type, mode_t mode, uint64_t uid, uint64_t gid)
{
	digest_put_u64(h, (uint64_t)type);
	digest_put_u64(h, mode & 07777);
	digest_put_u64(h, uid);
	digest_put_u64(h, gid);
}

void digest_put_xattrs(struct sha512 *h, const struct xattr_set *set, bool image_only)
{
	size_t count = 0;
	for (size_t i = 0; i < set->count; i++)
		count += !image_only || fsmeta_image_may_set_xattr(set->names[i], set->lens[i]);
	digest_put_u64(h, count);
	for (size_t i = 0; i < set->count; i++) {
		if (image_only && !fsmeta_image_may_set_xattr(set->names[i], set->lens[i]))
			continue;
		digest_put_str(h, set->names[i]);
		digest_put_bytes(h, set->values[i], set->lens[i]);
	}
}

void digest_put_record(struct sha512 *tree, const char *path, const uint8_t entry[SHA512_DIGEST_SIZE])
{
	digest_put_str(tree, path);
	digest_put_u64(tree, 'e');
	sha512_update(tree, entry, SHA512_DIGEST_SIZE);
}

void digest_put_link_record(struct sha512 *tree, const char *path, const char *first)
{
	digest_put_str(tree, path);
	digest_put_u64(tree, 'h');
	digest_put_str(tree, first);
}

int digest_compare_paths(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned ca = *a == '/' ? 0 : (unsigned char)*a, cb = *b == '/' ? 0 : (unsigned char)*b;
		if (*a == '\0' || *b == '\0' || ca != cb)
			return *a == '\0' && *b == '\0' ? 0 : *a == '\0' ? -1 : *b == '\0' ? 1 : (int)ca - (int)cb;
	}
}

void digest_final_hex(struct sha512 *h, const char *prefix, char out[TREE_HASH_MAX])
{
	size_t n = strlen(prefix);
	memcpy(out, prefix, n);
	memcpy(out + n, "sha512-", 7);
	sha512_final_hex(h, out + n + 7);
}

struct tree_node {
	char *path;
	uint8_t entry[SHA512_DIGEST_SIZE];
	uint64_t group; /* nodes of one group are names of one file */
	bool is_dir, removed;
};

struct tree_digest {
	struct tree_node *nodes;
	size_t count, cap;
	size_t *slots; /* open addressing by path: node index + 1, 0 = empty */
	size_t slot_cap;
	uint64_t groups;
};

static size_t slot_of(const struct tree_digest *t, const char *path)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 1099511628211ULL;
	return (size_t)h & (t->slot_cap - 1);
}

static struct tree_node *find(const struct tree_digest *t, const char *path)
{
	if (!t->slot_cap)
		return NULL;
	for (size_t i = slot_of(t, path); t->slots[i]; i = (i + 1) & (t->slot_cap - 1)) {
		struct tree_node *n = &t->nodes[t->slots[i] - 1];
		if (!n->removed && strcmp(n->path, path) == 0)
			return n;
	}
	return NULL;
}

static void place(struct tree_digest *t, size_t index)
{
	size_t i = slot_of(t, t->nodes[index].path);
	while (t->slots[i])
		i = (i + 1) & (t->slot_cap - 1);
	t->slots[i] = index + 1;
}

static int grow(struct tree_digest *t)
{
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct tree_node *nodes = realloc(t->nodes, cap * sizeof *nodes);
		if (!nodes)
			return -1;
		t->nodes = nodes;
		t->cap = cap;
	}
	if ((t->count + 1) * 2 > t->slot_cap) {
		size_t cap = t->slot_cap ? t->slot_cap * 2 : 2048;
		size_t *slots = calloc(cap, sizeof *slots);
		if (!slots)
			return -1;
		free(t->slots);
		t->slots = slots;
		t->slot_cap = cap;
		for (size_t i = 0; i < t->count; i++)
			place(t, i);
	}
	return 0;
}

/* A new node at `path`, replacing the one there. */
static struct tree_node *add(struct tree_digest *t, const char *path)
{
	struct tree_node *old = find(t, path);
	if (old)
		old->removed = true;
	if (grow(t) < 0)
		return NULL;
	struct tree_node *n = &t->nodes[t->count];
	*n = (struct tree_node){ .path = strdup(path) };
	if (!n->path)
		return NULL;
	place(t, t->count++);
	return n;
}

struct tree_digest *tree_digest_new(void)
{
	return calloc(1, sizeof(struct tree_digest));
}

void tree_digest_free(struct tree_digest *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->count; i++)
		free(t->nodes[i].path);
	free(t->nodes);
	free(t->slots);
	free(t);
}

int tree_digest_set(struct tree_digest *t, const char *path, const uint8_t entry[SHA512_DIGEST_SIZE])
{
	struct tree_node *n = add(t, path);
	if (!n)
		return errno = ENOMEM, -1;
	memcpy(n->entry, entry, SHA512_DIGEST_SIZE);
	n->group = ++t->groups;
	return 0;
}

int tree_digest_link(struct tree_digest *t, const char *path, const char *target)
{
	struct tree_node *to = find(t, target);
	if (!to || to->is_dir)
		return 1;
	uint8_t entry[SHA512_DIGEST_SIZE];
	memcpy(entry, to->entry, sizeof entry);
	uint64_t group = to->group;
	struct tree_node *n = add(t, path); /* may move the nodes: `to` is stale after */
	if (!n)
		return errno = ENOMEM, -1;
	memcpy(n->entry, entry, sizeof entry);
	n->group = group;
	return 0;
}

int tree_digest_add_dir(struct tree_digest *t, const char *path)
{
	if (tree_digest_has_dir(t, path))
		return 0;
	struct tree_node *n = add(t, path);
	if (!n)
		return errno = ENOMEM, -1;
	n->is_dir = true;
	return 0;
}

bool tree_digest_has_dir(const struct tree_digest *t, const char *path)
{
	const struct tree_node *n = find(t, path);
	return n && n->is_dir;
}

void tree_digest_remove(struct tree_digest *t, const char *path)
{
	struct tree_node *n = find(t, path);
	if (!n)
		return;
	n->removed = true;
	if (!n->is_dir)
		return;
	size_t len = strlen(path);
	for (size_t i = 0; i < t->count; i++)
		if (strncmp(t->nodes[i].path, path, len) == 0 && t->nodes[i].path[len] == '/')
			t->nodes[i].removed = true;
}

static int compare_nodes(const void *a, const void *b)
{
	return digest_compare_paths((*(struct tree_node *const *)a)->path, (*(struct tree_node *const *)b)->path);
}

int tree_digest_final(struct tree_digest *t, dir_digest_fn dir_digest, void *ctx, char out[TREE_HASH_MAX],
		      struct rkt_error *err)
{
	struct tree_node **order = malloc((t->count ? t->count : 1) * sizeof *order);
	size_t *names = calloc(t->groups + 1, sizeof *names); /* names per group */
	const char **first = calloc(t->groups + 1, sizeof *first); /* first name per group */
	int rc = order && names && first ? 0 : rkt_fail_sys(err, "hash", "tree", ENOMEM);
	size_t live = 0;
	for (size_t i = 0; rc == 0 && i < t->count; i++) {
		if (t->nodes[i].removed)
			continue;
		order[live++] = &t->nodes[i];
		names[t->nodes[i].group]++;
	}
	if (rc == 0)
		qsort(order, live, sizeof *order, compare_nodes);
	struct sha512 tree;
	sha512_init(&tree);
	for (size_t i = 0; rc == 0 && i < live; i++) {
		struct tree_node *n = order[i];
		if (n->is_dir)
			rc = dir_digest(ctx, n->path, n->entry, err);
		else if (names[n->group] > 1 && first[n->group]) {
			digest_put_link_record(&tree, n->path, first[n->group]);
			continue;
		} else if (names[n->group] > 1)
			first[n->group] = n->path;
		if (rc == 0)
			digest_put_record(&tree, n->path, n->entry);
	}
	free(order);
	free(names);
	free(first);
	if (rc == 0)
		digest_final_hex(&tree, TREE_HASH_V2_PREFIX, out);
	return rc;
}
