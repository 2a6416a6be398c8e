#define _GNU_SOURCE
#include "decompress.h"

#include "growing_file.h"

#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <igzip_lib.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INPUT_SIZE (1u << 20)
#define TAR_HEAD 512
/* The most an xz stream may make the decoder allocate (its dictionary, mostly). `xz -9`
 * needs 65 MiB; a limit well above every preset still keeps a crafted header asking for
 * gigabytes from taking a small host's memory. */
#define XZ_MEMORY_LIMIT ((uint64_t)512 << 20)

enum format { FORMAT_TAR, FORMAT_GZIP, FORMAT_BZIP2, FORMAT_XZ };

/* libbz2 built with BZ_NO_STDIO (native/deps.ts) calls this, which its user must define,
 * when one of its own internal checks fails: a bug in it, never bad input (that is an
 * error code). Without it the symbol stayed undefined and the process would die at the
 * call as an unresolved symbol; it stops the same way, on purpose. */
void bz_internal_error(int errcode);
void bz_internal_error(int errcode)
{
	(void)errcode;
	abort();
}

struct decompressor {
	enum format format;
	const char *path;
	int fd;
	struct growing_file *follow;
	uint8_t *in;
	size_t in_len, in_pos;
	bool in_eof;
	bool finished;
	union {
		struct inflate_state gz;
		bz_stream bz;
		lzma_stream xz;
	} s;
};

static const char *format_name(enum format f)
{
	switch (f) {
	case FORMAT_GZIP:
		return "gzip";
	case FORMAT_BZIP2:
		return "bzip2";
	case FORMAT_XZ:
		return "xz";
	default:
		return "tar";
	}
}

/* Makes input available when none is buffered; returns bytes buffered (0 at EOF) or -1. */
static ssize_t fill_input(struct decompressor *d, struct rkt_error *err)
{
	if (d->in_pos < d->in_len)
		return (ssize_t)(d->in_len - d->in_pos);
	if (d->in_eof)
		return 0;
	ssize_t n = growing_file_read(d->follow, d->fd, d->in, INPUT_SIZE, d->path, err);
	if (n < 0)
		return -1;
	d->in_len = (size_t)n;
	d->in_pos = 0;
	if (n == 0)
		d->in_eof = true;
	return n;
}

static int read_head(struct decompressor *d, struct rkt_error *err)
{
	/* Enough for the ustar magic at offset 257. */
	while (d->in_len < TAR_HEAD && !d->in_eof) {
		ssize_t n = growing_file_read(d->follow, d->fd, d->in + d->in_len, TAR_HEAD - d->in_len, d->path, err);
		if (n < 0)
			return -1;
		if (n == 0)
			d->in_eof = true;
		d->in_len += (size_t)n;
	}
	return 0;
}

static int detect(struct decompressor *d, struct rkt_error *err)
{
	const uint8_t *h = d->in;
	size_t n = d->in_len;
	if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		d->format = FORMAT_GZIP;
	else if (n >= 3 && memcmp(h, "BZh", 3) == 0)
		d->format = FORMAT_BZIP2;
	else if (n >= 6 && memcmp(h,
				  "\xfd"
				  "7zXZ\0",
				  6) == 0)
		d->format = FORMAT_XZ;
	else if (n > 262 && memcmp(h + 257, "ustar", 5) == 0)
		d->format = FORMAT_TAR;
	else
		return rkt_fail(err, "import", d->path, "unknown image filetype");
	return 0;
}

static int start_stream(struct decompressor *d, struct rkt_error *err)
{
	int ok;
	switch (d->format) {
	case FORMAT_GZIP:
		/* Allocates nothing; checks the header, the CRC-32 and the length in the trailer. */
		isal_inflate_init(&d->s.gz);
		d->s.gz.crc_flag = ISAL_GZIP;
		ok = 1;
		break;
	case FORMAT_BZIP2:
		memset(&d->s.bz, 0, sizeof d->s.bz);
		ok = BZ2_bzDecompressInit(&d->s.bz, 0, 0) == BZ_OK;
		break;
	case FORMAT_XZ:
		d->s.xz = (lzma_stream)LZMA_STREAM_INIT;
		ok = lzma_stream_decoder(&d->s.xz, XZ_MEMORY_LIMIT, LZMA_CONCATENATED) == LZMA_OK;
		break;
	default:
		ok = 1;
	}
	return ok ? 0 : rkt_fail_sys(err, "decompress", d->path, ENOMEM);
}

static void end_stream(struct decompressor *d)
{
	switch (d->format) {
	case FORMAT_BZIP2:
		BZ2_bzDecompressEnd(&d->s.bz);
		break;
	case FORMAT_XZ:
		lzma_end(&d->s.xz);
		break;
	default:
		break;
	}
}

struct decompressor *decompressor_open(const char *path, struct growing_file *follow, struct rkt_error *err)
{
	struct decompressor *d = calloc(1, sizeof *d);
	if (!d || !(d->in = malloc(INPUT_SIZE))) {
		free(d);
		rkt_fail_sys(err, "import", path, ENOMEM);
		return NULL;
	}
	d->path = path;
	d->follow = follow;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		rkt_fail_sys(err, "open", path, errno);
		free(d->in);
		free(d);
		return NULL;
	}
	posix_fadvise(d->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (read_head(d, err) < 0 || detect(d, err) < 0 || start_stream(d, err) < 0) {
		close(d->fd);
		free(d->in);
		free(d);
		return NULL;
	}
	return d;
}

static int corrupt(struct decompressor *d, struct rkt_error *err)
{
	return rkt_fail(err, "decompress", d->path, "corrupt %s data", format_name(d->format));
}

static int truncated(struct decompressor *d, struct rkt_error *err)
{
	return rkt_fail(err, "decompress", d->path, "truncated %s data (unexpected end of file)",
			format_name(d->format));
}

/* After one compressed stream ends: another may follow (gzip -c a b, pbzip2); anything else
 * after the end is ignored, as gzip -d does. Returns 1 to continue, 0 when done, -1 on error. */
static int next_member(struct decompressor *d, const uint8_t *magic, size_t magic_len, struct rkt_error *err)
{
	ssize_t avail = fill_input(d, err);
	if (avail < 0)
		return -1;
	if ((size_t)avail < magic_len && avail > 0) {
		/* The magic may straddle a read boundary; shift what is left to the front. */
		memmove(d->in, d->in + d->in_pos, (size_t)avail);
		d->in_len = (size_t)avail, d->in_pos = 0;
		ssize_t n =
			growing_file_read(d->follow, d->fd, d->in + avail, INPUT_SIZE - (size_t)avail, d->path, err);
		if (n < 0)
			return -1;
		d->in_len += (size_t)n;
		avail += n;
	}
	if ((size_t)avail < magic_len || memcmp(d->in + d->in_pos, magic, magic_len) != 0)
		return 0;
	end_stream(d);
	return start_stream(d, err) < 0 ? -1 : 1;
}

static ssize_t read_gzip(struct decompressor *d, uint8_t *out, size_t cap, struct rkt_error *err)
{
	struct inflate_state *gz = &d->s.gz;
	gz->next_out = out;
	gz->avail_out = (uint32_t)cap;
	while (gz->avail_out > 0) {
		ssize_t avail = fill_input(d, err);
		if (avail < 0)
			return -1;
		if (avail == 0)
			return truncated(d, err);
		gz->next_in = d->in + d->in_pos;
		gz->avail_in = (uint32_t)avail;
		int rc = isal_inflate(gz);
		d->in_pos = d->in_len - gz->avail_in;
		if (rc < 0)
			return corrupt(d, err);
		if (gz->block_state == ISAL_BLOCK_FINISH) {
			/* A new member starts with a fresh stream; the output position carries on. */
			uint8_t *next_out = gz->next_out;
			uint32_t avail_out = gz->avail_out;
			int more = next_member(d, (const uint8_t *)"\x1f\x8b", 2, err);
			if (more < 0)
				return -1;
			gz->next_out = next_out;
			gz->avail_out = avail_out;
			if (more == 0) {
				d->finished = true;
				break;
			}
		}
	}
	return (ssize_t)(cap - gz->avail_out);
}

static ssize_t read_bzip2(struct decompressor *d, uint8_t *out, size_t cap, struct rkt_error *err)
{
	bz_stream *bz = &d->s.bz;
	bz->next_out = (char *)out;
	bz->avail_out = (unsigned)cap;
	while (bz->avail_out > 0) {
		ssize_t avail = fill_input(d, err);
		if (avail < 0)
			return -1;
		if (avail == 0)
			return truncated(d, err);
		bz->next_in = (char *)d->in + d->in_pos;
		bz->avail_in = (unsigned)avail;
		int rc = BZ2_bzDecompress(bz);
		d->in_pos = d->in_len - bz->avail_in;
		if (rc == BZ_STREAM_END) {
			char *next_out = bz->next_out;
			unsigned avail_out = bz->avail_out;
			int more = next_member(d, (const uint8_t *)"BZh", 3, err);
			if (more < 0)
				return -1;
			bz->next_out = next_out;
			bz->avail_out = avail_out;
			if (more == 0) {
				d->finished = true;
				break;
			}
		} else if (rc != BZ_OK) {
			return corrupt(d, err);
		}
	}
	return (ssize_t)(cap - bz->avail_out);
}

static int over_memory_limit(struct decompressor *d, struct rkt_error *err)
{
	return rkt_fail(err, "decompress", d->path,
			"xz data needs %llu MiB of memory to decompress, above the limit of %llu MiB",
			(unsigned long long)(lzma_memusage(&d->s.xz) >> 20),
			(unsigned long long)(XZ_MEMORY_LIMIT >> 20));
}

static ssize_t read_xz(struct decompressor *d, uint8_t *out, size_t cap, struct rkt_error *err)
{
	lzma_stream *xz = &d->s.xz;
	xz->next_out = out;
	xz->avail_out = cap;
	while (xz->avail_out > 0) {
		ssize_t avail = fill_input(d, err);
		if (avail < 0)
			return -1;
		xz->next_in = d->in + d->in_pos;
		xz->avail_in = (size_t)avail;
		lzma_ret rc = lzma_code(xz, avail == 0 ? LZMA_FINISH : LZMA_RUN);
		d->in_pos = d->in_len - xz->avail_in;
		if (rc == LZMA_STREAM_END) {
			d->finished = true;
			break;
		}
		if (rc == LZMA_BUF_ERROR && avail == 0)
			return truncated(d, err);
		if (rc == LZMA_MEMLIMIT_ERROR)
			return over_memory_limit(d, err);
		if (rc != LZMA_OK)
			return corrupt(d, err);
	}
	return (ssize_t)(cap - xz->avail_out);
}

static ssize_t read_tar(struct decompressor *d, uint8_t *out, size_t cap, struct rkt_error *err)
{
	size_t done = 0;
	/* The bytes read for detection come first. */
	if (d->in_pos < d->in_len) {
		done = d->in_len - d->in_pos < cap ? d->in_len - d->in_pos : cap;
		memcpy(out, d->in + d->in_pos, done);
		d->in_pos += done;
	}
	while (done < cap && !d->in_eof) {
		ssize_t n = growing_file_read(d->follow, d->fd, out + done, cap - done, d->path, err);
		if (n < 0)
			return -1;
		if (n == 0)
			d->in_eof = true;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t decompressor_read(struct decompressor *d, unsigned char *out, size_t cap, struct rkt_error *err)
{
	if (d->finished)
		return 0;
	switch (d->format) {
	case FORMAT_GZIP:
		return read_gzip(d, out, cap, err);
	case FORMAT_BZIP2:
		return read_bzip2(d, out, cap, err);
	case FORMAT_XZ:
		return read_xz(d, out, cap, err);
	default:
		return read_tar(d, out, cap, err);
	}
}

const char *decompressor_format(const struct decompressor *d)
{
	return format_name(d->format);
}

void decompressor_close(struct decompressor *d)
{
	if (!d)
		return;
	end_stream(d);
	close(d->fd);
	free(d->in);
	free(d);
}
