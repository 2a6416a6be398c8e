#include "inode_map.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t slot_of(const struct inode_map *m, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)ino * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)dev;
	return (size_t)(h ^ (h >> 29)) & (m->cap - 1);
}

static int grow(struct inode_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 256;
	struct inode_slot *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return -1;
	struct inode_map bigger = { .slots = slots, .cap = cap, .used = m->used };
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].path)
			continue;
		size_t j = slot_of(&bigger, m->slots[i].dev, m->slots[i].ino);
		while (slots[j].path)
			j = (j + 1) & (cap - 1);
		slots[j] = m->slots[i];
	}
	free(m->slots);
	*m = bigger;
	return 0;
}

const char *inode_map_find_or_add(struct inode_map *m, dev_t dev, ino_t ino, const char *path, int *failed)
{
	if ((m->used + 1) * 2 > m->cap && grow(m) < 0) {
		*failed = 1;
		errno = ENOMEM;
		return NULL;
	}
	size_t i = slot_of(m, dev, ino);
	for (; m->slots[i].path; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].dev == dev && m->slots[i].ino == ino)
			return m->slots[i].path;
	if (!(m->slots[i].path = strdup(path))) {
		*failed = 1;
		errno = ENOMEM;
		return NULL;
	}
	m->slots[i].dev = dev;
	m->slots[i].ino = ino;
	m->used++;
	return NULL;
}

bool inode_map_contains(const struct inode_map *m, dev_t dev, ino_t ino)
{
	if (m->cap == 0)
		return false;
	for (size_t i = slot_of(m, dev, ino); m->slots[i].path; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].dev == dev && m->slots[i].ino == ino)
			return true;
	return false;
}

void inode_map_free(struct inode_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].path);
	free(m->slots);
	memset(m, 0, sizeof *m);
}
