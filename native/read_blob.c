/* A stored blob read back as the uncompressed tar it stands for, for `image verify` (its
 * hash) and `image export` (the tar itself), whatever compression it was kept in. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fsmeta.h"
#include "inflate_source.h"
#include "rkt_native.h"
#include "sha512.h"

struct blob_reader {
	struct sha512 hash;
	int out_fd; /* -1: hash only */
	const char *out_path;
};

static int take_chunk(void *ctx, const uint8_t *data, size_t len, struct rkt_error *err)
{
	struct blob_reader *b = ctx;
	sha512_update(&b->hash, data, len);
	if (b->out_fd >= 0 && fsmeta_write_all(b->out_fd, data, len) < 0)
		return rkt_fail_sys(err, "write", b->out_path, errno);
	return 0;
}

int rkt_read_blob(const char *blob, const char *tar_out, char sha512_hex_out[129], struct rkt_error *err)
{
	struct blob_reader b = { .out_fd = -1, .out_path = tar_out };
	sha512_init(&b.hash);
	if (tar_out && (b.out_fd = open(tar_out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) < 0)
		return rkt_fail_sys(err, "create", tar_out, errno);
	struct inflate_source *s = inflate_source_open(blob, NULL, take_chunk, &b, err);
	int rc = s ? inflate_source_drain(s, err) : -1;
	inflate_source_close(s);
	if (b.out_fd >= 0) {
		if (rc == 0 && fsync(b.out_fd) < 0)
			rc = rkt_fail_sys(err, "fsync", tar_out, errno);
		if (close(b.out_fd) < 0 && rc == 0)
			rc = rkt_fail_sys(err, "close", tar_out, errno);
	}
	if (rc == 0)
		sha512_final_hex(&b.hash, sha512_hex_out);
	return rc;
}
