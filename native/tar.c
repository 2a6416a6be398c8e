#include "tar.h"

#include <errno.h>
#include <stdio.h>
#include <sys/types.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Long names, long links and PAX headers adding up to more than this for one entry are
 * refused (a defence against archives that try to make us allocate without bound). */
#define EXTENSION_MAX (16u << 20)

size_t tar_source_buffered(const struct tar_source *src)
{
	return src->len - src->pos;
}

/* Copies n bytes; returns how many were available before the end of input, or -1. */
static ssize_t source_read(struct tar_source *src, uint8_t *dst, size_t n, struct rkt_error *err)
{
	size_t done = 0;
	while (done < n) {
		if (src->pos == src->len) {
			int more = src->refill(src, err);
			if (more < 0)
				return -1;
			if (more == 0)
				break;
		}
		size_t take = src->len - src->pos;
		if (take > n - done)
			take = n - done;
		memcpy(dst + done, src->data + src->pos, take);
		src->pos += take;
		done += take;
	}
	return (ssize_t)done;
}

static int truncated(struct tar_reader *r, struct rkt_error *err)
{
	return rkt_fail(err, "read archive", r->archive, "truncated archive (unexpected end of data)");
}

static int source_skip(struct tar_reader *r, uint64_t n, struct rkt_error *err)
{
	struct tar_source *src = r->src;
	while (n > 0) {
		size_t buffered = src->len - src->pos;
		if (buffered == 0 && src->skip_unread)
			return src->skip_unread(src, n, err);
		if (buffered == 0) {
			int more = src->refill(src, err);
			if (more < 0)
				return -1;
			if (more == 0)
				return truncated(r, err);
			continue;
		}
		size_t take = buffered < n ? buffered : (size_t)n;
		src->pos += take;
		n -= take;
	}
	return 0;
}

void tar_reader_init(struct tar_reader *r, struct tar_source *src, const char *archive)
{
	memset(r, 0, sizeof *r);
	r->src = src;
	r->archive = archive;
}

/* Numeric header field: octal digits (space/NUL padded) or GNU base-256 when the high bit
 * of the first byte is set. */
static bool parse_number(const uint8_t *field, size_t width, uint64_t *out)
{
	uint64_t v = 0;
	if (field[0] & 0x80) {
		if (field[0] == 0xff)
			return false; /* negative */
		v = field[0] & 0x7f;
		for (size_t i = 1; i < width; i++) {
			if (v >> 56)
				return false;
			v = (v << 8) | field[i];
		}
		*out = v;
		return true;
	}
	size_t i = 0;
	while (i < width && (field[i] == ' ' || field[i] == '\0'))
		i++;
	for (; i < width && field[i] >= '0' && field[i] <= '7'; i++) {
		if (v >> 61)
			return false;
		v = (v << 3) | (uint64_t)(field[i] - '0');
	}
	for (; i < width; i++)
		if (field[i] != ' ' && field[i] != '\0')
			return false;
	*out = v;
	return true;
}

static bool checksum_ok(const uint8_t *block)
{
	uint64_t stored;
	if (!parse_number(block + 148, 8, &stored))
		return false;
	uint64_t unsigned_sum = 0;
	int64_t signed_sum = 0;
	for (int i = 0; i < TAR_BLOCK; i++) {
		uint8_t c = (i >= 148 && i < 156) ? ' ' : block[i];
		unsigned_sum += c;
		signed_sum += (int8_t)c;
	}
	/* Some old writers summed signed chars; accept either, as GNU tar does. */
	return stored == unsigned_sum || (int64_t)stored == signed_sum;
}

static bool all_zero(const uint8_t *block)
{
	for (int i = 0; i < TAR_BLOCK; i++)
		if (block[i])
			return false;
	return true;
}

static char *copy_field(const uint8_t *field, size_t width)
{
	size_t n = strnlen((const char *)field, width);
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	memcpy(s, field, n);
	s[n] = '\0';
	return s;
}

/* Overrides collected from GNU long-name/long-link entries and PAX headers for the next entry. */
struct pending {
	char *long_name, *long_link;
	char *pax_path, *pax_link;
	bool has_size, has_uid, has_gid, has_mtime, has_atime;
	uint64_t size;
	int64_t uid, gid;
	struct timespec mtime, atime;
	struct tar_xattr *xattrs;
	size_t xattr_count;
};

static void xattrs_free(struct tar_xattr *xattrs, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(xattrs[i].name);
		free(xattrs[i].value);
	}
	free(xattrs);
}

static void pending_free(struct pending *p)
{
	free(p->long_name);
	free(p->long_link);
	free(p->pax_path);
	free(p->pax_link);
	xattrs_free(p->xattrs, p->xattr_count);
	memset(p, 0, sizeof *p);
}

static bool parse_decimal(const char *s, size_t n, uint64_t *out)
{
	if (n == 0)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* PAX times: [-]seconds[.fraction] */
static bool parse_pax_time(const char *s, size_t n, struct timespec *out)
{
	bool negative = n > 0 && s[0] == '-';
	if (negative)
		s++, n--;
	const char *dot = memchr(s, '.', n);
	size_t whole = dot ? (size_t)(dot - s) : n;
	uint64_t sec;
	/* Below INT64_MAX, so that negating and borrowing a second for the fraction cannot overflow. */
	if (!parse_decimal(s, whole, &sec) || sec >= INT64_MAX)
		return false;
	long nsec = 0;
	if (dot) {
		size_t frac = n - whole - 1;
		/* Digits past nanoseconds are dropped, but must still be digits. */
		for (size_t i = 0; i < frac || i < 9; i++) {
			int digit = i < frac ? dot[1 + i] - '0' : 0;
			if (digit < 0 || digit > 9)
				return false;
			if (i < 9)
				nsec = nsec * 10 + digit;
		}
	}
	out->tv_sec = negative ? -(time_t)sec : (time_t)sec;
	out->tv_nsec = nsec;
	if (negative && nsec)
		out->tv_sec -= 1, out->tv_nsec = 1000000000 - nsec;
	return true;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static int add_xattr(struct pending *p, const char *name, size_t name_len, const char *value, size_t len)
{
	struct tar_xattr *grown = realloc(p->xattrs, (p->xattr_count + 1) * sizeof *grown);
	if (!grown)
		return -1;
	p->xattrs = grown;
	struct tar_xattr *x = &grown[p->xattr_count];
	x->name = dup_n(name, name_len);
	x->value = malloc(len ? len : 1);
	if (!x->name || !x->value) {
		free(x->name);
		free(x->value);
		return -1;
	}
	memcpy(x->value, value, len);
	x->len = len;
	p->xattr_count++;
	return 0;
}

static int pax_bad(struct tar_reader *r, struct rkt_error *err, const char *what)
{
	return rkt_fail(err, "read archive", r->archive, "corrupt PAX header (%s)", what);
}

static int parse_pax(struct tar_reader *r, const char *data, size_t size, struct pending *p, struct rkt_error *err)
{
	static const char xattr_prefix[] = "SCHILY.xattr.";
	size_t off = 0;
	while (off < size) {
		const char *rec = data + off;
		size_t avail = size - off;
		const char *space = memchr(rec, ' ', avail < 24 ? avail : 24);
		uint64_t len;
		if (!space || !parse_decimal(rec, (size_t)(space - rec), &len) || len > avail || len < 5)
			return pax_bad(r, err, "bad record length");
		if (rec[len - 1] != '\n')
			return pax_bad(r, err, "record without newline");
		const char *key = space + 1;
		const char *end = rec + len - 1;
		const char *eq = memchr(key, '=', (size_t)(end - key));
		if (!eq)
			return pax_bad(r, err, "record without '='");
		size_t key_len = (size_t)(eq - key);
		const char *value = eq + 1;
		size_t value_len = (size_t)(end - value);
#define KEY_IS(k) (key_len == sizeof(k) - 1 && memcmp(key, k, key_len) == 0)
		bool ok = true;
		uint64_t n;
		if (KEY_IS("path")) {
			free(p->pax_path);
			ok = (p->pax_path = dup_n(value, value_len)) != NULL;
		} else if (KEY_IS("linkpath")) {
			free(p->pax_link);
			ok = (p->pax_link = dup_n(value, value_len)) != NULL;
		} else if (KEY_IS("size")) {
			if (!parse_decimal(value, value_len, &p->size))
				return pax_bad(r, err, "bad size");
			p->has_size = true;
		} else if (KEY_IS("uid") || KEY_IS("gid")) {
			if (!parse_decimal(value, value_len, &n) || n > INT64_MAX)
				return pax_bad(r, err, "bad uid/gid");
			if (key[0] == 'u')
				p->uid = (int64_t)n, p->has_uid = true;
			else
				p->gid = (int64_t)n, p->has_gid = true;
		} else if (KEY_IS("mtime")) {
			if (!parse_pax_time(value, value_len, &p->mtime))
				return pax_bad(r, err, "bad mtime");
			p->has_mtime = true;
		} else if (KEY_IS("atime")) {
			if (!parse_pax_time(value, value_len, &p->atime))
				return pax_bad(r, err, "bad atime");
			p->has_atime = true;
		} else if (key_len > sizeof xattr_prefix - 1 &&
			   memcmp(key, xattr_prefix, sizeof xattr_prefix - 1) == 0) {
			ok = add_xattr(p, key + sizeof xattr_prefix - 1, key_len - (sizeof xattr_prefix - 1), value,
				       value_len) == 0;
		} else if (key_len >= 10 && memcmp(key, "GNU.sparse", 10) == 0) {
			return rkt_fail(err, "read archive", r->archive, "unsupported tar entry type (sparse file)");
		}
#undef KEY_IS
		if (!ok)
			return rkt_fail_sys(err, "read archive", r->archive, ENOMEM);
		off += len;
	}
	return 0;
}

/* Reads an extension's data; `total` counts the extension bytes read for this entry so far. */
static int read_extension(struct tar_reader *r, uint64_t size, uint64_t *total, char **out, struct rkt_error *err)
{
	if (size > EXTENSION_MAX - *total)
		return rkt_fail(err, "read archive", r->archive, "extended headers of more than %u bytes for one entry",
				EXTENSION_MAX);
	*total += size;
	char *buf = malloc(size + 1);
	if (!buf)
		return rkt_fail_sys(err, "read archive", r->archive, ENOMEM);
	ssize_t got = source_read(r->src, (uint8_t *)buf, size, err);
	if (got < 0 || (uint64_t)got < size) {
		free(buf);
		return got < 0 ? -1 : truncated(r, err);
	}
	buf[size] = '\0';
	if (source_skip(r, (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK, err) < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

static bool header_only(char type)
{
	return type == TAR_HARDLINK || type == TAR_SYMLINK || type == TAR_CHAR || type == TAR_BLOCK_DEVICE ||
	       type == TAR_DIRECTORY || type == TAR_FIFO;
}

static int corrupt(struct tar_reader *r, struct rkt_error *err, const char *what)
{
	return rkt_fail(err, "read archive", r->archive, "corrupt tar header (%s)", what);
}

/* Fills entry from a header block and the pending overrides (whose strings it takes over). */
static int build_entry(struct tar_reader *r, const uint8_t *h, struct pending *p, struct tar_entry *e,
		       struct rkt_error *err)
{
	uint64_t mode, uid, gid, size, mtime, major, minor;
	if (!parse_number(h + 100, 8, &mode))
		return corrupt(r, err, "bad mode");
	if (!parse_number(h + 108, 8, &uid) || !parse_number(h + 116, 8, &gid))
		return corrupt(r, err, "bad uid/gid");
	if (!parse_number(h + 124, 12, &size))
		return corrupt(r, err, "bad size");
	if (!parse_number(h + 136, 12, &mtime))
		return corrupt(r, err, "bad mtime");
	if (!parse_number(h + 329, 8, &major) || !parse_number(h + 337, 8, &minor))
		return corrupt(r, err, "bad device number");
	if (p->has_size)
		size = p->size;
	/* Sizes past the largest file offset would wrap the reader's skip arithmetic. */
	if (size > INT64_MAX)
		return corrupt(r, err, "bad size");
	bool posix = memcmp(h + 257, "ustar\0", 6) == 0;

	memset(e, 0, sizeof *e);
	e->type = h[156] == '\0' || h[156] == '7' ? TAR_REGULAR : (char)h[156];
	e->mode = (uint32_t)(mode & 07777);
	e->uid = p->has_uid ? p->uid : (int64_t)uid;
	e->gid = p->has_gid ? p->gid : (int64_t)gid;
	e->size = size;
	e->mtime = p->has_mtime ? p->mtime : (struct timespec){ (time_t)mtime, 0 };
	e->atime = p->has_atime ? p->atime : e->mtime;
	e->devmajor = (uint32_t)major;
	e->devminor = (uint32_t)minor;

	if (p->pax_path) {
		e->name = p->pax_path, p->pax_path = NULL;
	} else if (p->long_name) {
		e->name = p->long_name, p->long_name = NULL;
	} else if (posix && h[345]) {
		char prefix[156], name[101];
		memcpy(prefix, h + 345, 155), prefix[155] = '\0';
		memcpy(name, h, 100), name[100] = '\0';
		size_t n = strlen(prefix) + 1 + strlen(name) + 1;
		if ((e->name = malloc(n)))
			snprintf(e->name, n, "%s/%s", prefix, name);
	} else {
		e->name = copy_field(h, 100);
	}
	if (p->pax_link)
		e->linkname = p->pax_link, p->pax_link = NULL;
	else if (p->long_link)
		e->linkname = p->long_link, p->long_link = NULL;
	else
		e->linkname = copy_field(h + 157, 100);
	e->xattrs = p->xattrs, e->xattr_count = p->xattr_count;
	p->xattrs = NULL, p->xattr_count = 0;
	if (!e->name || !e->linkname) {
		tar_entry_free(e);
		return rkt_fail_sys(err, "read archive", r->archive, ENOMEM);
	}
	/* Old archives mark directories only by a trailing slash. */
	size_t name_len = strlen(e->name);
	if (e->type == TAR_REGULAR && name_len > 0 && e->name[name_len - 1] == '/')
		e->type = TAR_DIRECTORY;
	if (header_only(e->type))
		e->size = 0;
	return 0;
}

int tar_reader_next(struct tar_reader *r, struct tar_entry *entry, struct rkt_error *err)
{
	if (r->finished)
		return 0;
	if (source_skip(r, r->data_left + r->padding, err) < 0)
		return -1;
	r->data_left = r->padding = 0;
	struct pending p = { 0 };
	uint64_t extension_total = 0;
	for (;;) {
		uint8_t h[TAR_BLOCK];
		ssize_t got = source_read(r->src, h, TAR_BLOCK, err);
		if (got < 0)
			goto fail;
		/* The end of input at a block boundary also ends the archive: not every writer
         * adds the two zero blocks. */
		if (got == 0 || all_zero(h)) {
			if (p.long_name || p.long_link || p.pax_path || p.has_size) {
				truncated(r, err);
				goto fail;
			}
			pending_free(&p);
			r->finished = 1;
			return 0;
		}
		if (got < TAR_BLOCK) {
			truncated(r, err);
			goto fail;
		}
		if (!checksum_ok(h)) {
			corrupt(r, err, "bad checksum");
			goto fail;
		}
		char type = (char)h[156];
		if (type == 'L' || type == 'K' || type == 'x' || type == 'g') {
			uint64_t size;
			char *data = NULL;
			if (!parse_number(h + 124, 12, &size)) {
				corrupt(r, err, "bad size");
				goto fail;
			}
			if (read_extension(r, size, &extension_total, &data, err) < 0)
				goto fail;
			if (type == 'L')
				free(p.long_name), p.long_name = data;
			else if (type == 'K')
				free(p.long_link), p.long_link = data;
			else {
				/* Global headers ('g') set defaults nobody relies on for images; parse and drop. */
				struct pending scratch = { 0 };
				int rc = parse_pax(r, data, size, type == 'x' ? &p : &scratch, err);
				pending_free(&scratch);
				free(data);
				if (rc < 0)
					goto fail;
			}
			continue;
		}
		if (build_entry(r, h, &p, entry, err) < 0)
			goto fail;
		pending_free(&p);
		r->data_left = entry->size;
		r->padding = (TAR_BLOCK - entry->size % TAR_BLOCK) % TAR_BLOCK;
		return 1;
	}
fail:
	pending_free(&p);
	return -1;
}

int tar_reader_data(struct tar_reader *r, const uint8_t **data, size_t *len, struct rkt_error *err)
{
	struct tar_source *src = r->src;
	if (r->data_left == 0) {
		*len = 0;
		return 0;
	}
	if (src->pos == src->len) {
		int more = src->refill(src, err);
		if (more < 0)
			return -1;
		if (more == 0)
			return truncated(r, err);
	}
	size_t take = src->len - src->pos;
	if (take > r->data_left)
		take = (size_t)r->data_left;
	*data = src->data + src->pos;
	*len = take;
	src->pos += take;
	r->data_left -= take;
	return 0;
}

int tar_reader_skip_data(struct tar_reader *r, uint64_t n, struct rkt_error *err)
{
	if (n > r->data_left)
		n = r->data_left;
	if (source_skip(r, n, err) < 0)
		return -1;
	r->data_left -= n;
	return 0;
}

void tar_entry_free(struct tar_entry *e)
{
	free(e->name);
	free(e->linkname);
	xattrs_free(e->xattrs, e->xattr_count);
	memset(e, 0, sizeof *e);
}
