/* SHA-512 (FIPS 180-4): the image ID is the digest of the uncompressed ACI tar. */
#ifndef RKT_SHA512_H
#define RKT_SHA512_H

#include <stddef.h>
#include <stdint.h>

#define SHA512_DIGEST_SIZE 64
#define SHA512_HEX_SIZE 129 /* 128 hex digits and a NUL */

struct sha512 {
	uint64_t state[8];
	uint64_t length; /* bytes hashed so far (2^64 bytes is far beyond any image) */
	uint8_t block[128];
	size_t used;
};

void sha512_init(struct sha512 *ctx);
void sha512_update(struct sha512 *ctx, const void *data, size_t len);
void sha512_final(struct sha512 *ctx, uint8_t digest[SHA512_DIGEST_SIZE]);
void sha512_final_hex(struct sha512 *ctx, char hex[SHA512_HEX_SIZE]);

#endif
