#define _GNU_SOURCE
#include "tar_write.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_FIELD 100
#define MAX_OCTAL_7 07777777ull /* what an 8-byte octal field holds */
#define MAX_OCTAL_11 077777777777ull /* what a 12-byte octal field holds */

size_t tar_padding(uint64_t size)
{
	return (size_t)((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);
}

static int reserve(struct tar_buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	uint8_t *grown = realloc(b->data, cap);
	if (!grown)
		return -1;
	b->data = grown;
	b->cap = cap;
	return 0;
}

int tar_buf_append(struct tar_buf *b, const void *data, size_t len)
{
	if (reserve(b, len) < 0)
		return -1;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

int tar_buf_append_zeros(struct tar_buf *b, size_t len)
{
	if (reserve(b, len) < 0)
		return -1;
	memset(b->data + b->len, 0, len);
	b->len += len;
	return 0;
}

/* Whether ustar's field of `width` bytes holds `s` as it is (ASCII, no truncation). */
static bool fits_field(const char *s, size_t width)
{
	size_t n = strlen(s);
	if (n > width)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] > 0x7f)
			return false;
	return true;
}

static size_t decimal_digits(size_t n)
{
	size_t digits = 1;
	while (n >= 10)
		n /= 10, digits++;
	return digits;
}

/* One record, "<len> <key>=<value>\n", where len counts the whole record. */
static int pax_record(struct tar_buf *b, const char *key, const void *value, size_t value_len)
{
	size_t rest = 1 + strlen(key) + 1 + value_len + 1; /* " key=value\n" */
	size_t len = rest + decimal_digits(rest);
	len = rest + decimal_digits(len);
	char prefix[24];
	int n = snprintf(prefix, sizeof prefix, "%zu ", len);
	if (tar_buf_append(b, prefix, (size_t)n) < 0 || tar_buf_append(b, key, strlen(key)) < 0 ||
	    tar_buf_append(b, "=", 1) < 0 || tar_buf_append(b, value, value_len) < 0)
		return -1;
	return tar_buf_append(b, "\n", 1);
}

static int pax_number(struct tar_buf *b, const char *key, uint64_t value)
{
	char text[24];
	int n = snprintf(text, sizeof text, "%llu", (unsigned long long)value);
	return pax_record(b, key, text, (size_t)n);
}

static int pax_time(struct tar_buf *b, const char *key, struct timespec t)
{
	char text[48];
	int n;
	if (t.tv_nsec == 0)
		n = snprintf(text, sizeof text, "%lld", (long long)t.tv_sec);
	else if (t.tv_sec < 0) /* -S.F is -S - 1 seconds and 1e9 - F nanoseconds, as the reader takes it */
		n = snprintf(text, sizeof text, "-%lld.%09ld", -(long long)t.tv_sec - 1, 1000000000L - t.tv_nsec);
	else
		n = snprintf(text, sizeof text, "%lld.%09ld", (long long)t.tv_sec, t.tv_nsec);
	return pax_record(b, key, text, (size_t)n);
}

/* The PAX records `e` needs under `name`, in a fixed order. */
static int pax_records(struct tar_buf *b, const char *name, const struct tar_entry *e, bool has_link)
{
	static const char xattr_prefix[] = "SCHILY.xattr.";
	if (!fits_field(name, NAME_FIELD) && pax_record(b, "path", name, strlen(name)) < 0)
		return -1;
	if (has_link && !fits_field(e->linkname, NAME_FIELD) &&
	    pax_record(b, "linkpath", e->linkname, strlen(e->linkname)) < 0)
		return -1;
	if (e->size > MAX_OCTAL_11 && pax_number(b, "size", e->size) < 0)
		return -1;
	if ((uint64_t)e->uid > MAX_OCTAL_7 && pax_number(b, "uid", (uint64_t)e->uid) < 0)
		return -1;
	if ((uint64_t)e->gid > MAX_OCTAL_7 && pax_number(b, "gid", (uint64_t)e->gid) < 0)
		return -1;
	bool plain_time = e->mtime.tv_nsec == 0 && e->mtime.tv_sec >= 0 && (uint64_t)e->mtime.tv_sec <= MAX_OCTAL_11;
	if (!plain_time && pax_time(b, "mtime", e->mtime) < 0)
		return -1;
	for (size_t i = 0; i < e->xattr_count; i++) {
		size_t key_len = sizeof xattr_prefix + strlen(e->xattrs[i].name);
		char *key = malloc(key_len);
		if (!key)
			return -1;
		snprintf(key, key_len, "%s%s", xattr_prefix, e->xattrs[i].name);
		int rc = pax_record(b, key, e->xattrs[i].value, e->xattrs[i].len);
		free(key);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void put_octal(uint8_t *block, size_t offset, size_t width, uint64_t value)
{
	char text[24];
	snprintf(text, sizeof text, "%0*llo", (int)(width - 1), (unsigned long long)value);
	memcpy(block + offset, text, width - 1); /* the last byte stays NUL */
}

static void put_string(uint8_t *block, size_t offset, size_t width, const char *s)
{
	size_t n = strlen(s);
	memcpy(block + offset, s, n < width ? n : width);
}

static void ustar_block(uint8_t block[TAR_BLOCK], const char *name, char type, const struct tar_entry *e, uint64_t size,
			bool has_link)
{
	memset(block, 0, TAR_BLOCK);
	put_string(block, 0, NAME_FIELD, name);
	put_octal(block, 100, 8, e->mode & 07777);
	put_octal(block, 108, 8, (uint64_t)e->uid <= MAX_OCTAL_7 ? (uint64_t)e->uid : 0);
	put_octal(block, 116, 8, (uint64_t)e->gid <= MAX_OCTAL_7 ? (uint64_t)e->gid : 0);
	put_octal(block, 124, 12, size <= MAX_OCTAL_11 ? size : 0);
	bool plain_time = e->mtime.tv_sec >= 0 && (uint64_t)e->mtime.tv_sec <= MAX_OCTAL_11;
	put_octal(block, 136, 12, plain_time ? (uint64_t)e->mtime.tv_sec : 0);
	block[156] = (uint8_t)type;
	if (has_link)
		put_string(block, 157, NAME_FIELD, e->linkname);
	memcpy(block + 257,
	       "ustar\0"
	       "00",
	       8);
	put_octal(block, 329, 8, e->devmajor <= MAX_OCTAL_7 ? e->devmajor : 0);
	put_octal(block, 337, 8, e->devminor <= MAX_OCTAL_7 ? e->devminor : 0);
	unsigned sum = 0;
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : block[i];
	char checksum[8];
	snprintf(checksum, sizeof checksum, "%06o", sum);
	memcpy(block + 148, checksum, 7); /* six digits, NUL, and the space already counted */
	block[155] = ' ';
}

int tar_write_header(struct tar_buf *out, const char *name, const struct tar_entry *e)
{
	bool is_dir = e->type == TAR_DIRECTORY;
	bool has_link = (e->type == TAR_HARDLINK || e->type == TAR_SYMLINK) && e->linkname;
	size_t name_len = strlen(name);
	char *stored = malloc(name_len + 2);
	if (!stored)
		return -1;
	snprintf(stored, name_len + 2, "%s%s", name, is_dir ? "/" : "");
	struct tar_buf pax = { 0 };
	int rc = pax_records(&pax, stored, e, has_link);
	uint8_t block[TAR_BLOCK];
	if (rc == 0 && pax.len) {
		struct tar_entry pax_entry = { .type = 'x', .mode = 0644, .mtime = { 0, 0 } };
		ustar_block(block, "PaxHeader", 'x', &pax_entry, pax.len, false);
		rc = tar_buf_append(out, block, TAR_BLOCK) < 0 || tar_buf_append(out, pax.data, pax.len) < 0 ||
				     tar_buf_append_zeros(out, tar_padding(pax.len)) < 0
			     ? -1
			     : 0;
	}
	if (rc == 0) {
		uint64_t size = e->type == TAR_REGULAR ? e->size : 0;
		ustar_block(block, stored, e->type, e, size, has_link);
		rc = tar_buf_append(out, block, TAR_BLOCK);
	}
	tar_buf_free(&pax);
	free(stored);
	return rc;
}

void tar_buf_free(struct tar_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}
