#include "sha512.h"

#include <string.h>

static const uint64_t round_constants[80] = {
	0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
	0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
	0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
	0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
	0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
	0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
	0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
	0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
	0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
	0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
	0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
	0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
	0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
	0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
	0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
	0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
	0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
	0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
	0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
	0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

static inline uint64_t rotr(uint64_t x, int n)
{
	return (x >> n) | (x << (64 - n));
}

static inline uint64_t load_be64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

static inline void store_be64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
}

#define BIG_SIGMA0(x) (rotr(x, 28) ^ rotr(x, 34) ^ rotr(x, 39))
#define BIG_SIGMA1(x) (rotr(x, 14) ^ rotr(x, 18) ^ rotr(x, 41))
#define SMALL_SIGMA0(x) (rotr(x, 1) ^ rotr(x, 8) ^ ((x) >> 7))
#define SMALL_SIGMA1(x) (rotr(x, 19) ^ rotr(x, 61) ^ ((x) >> 6))
#define CHOOSE(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJORITY(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

/* One round with the working variables passed in rotated order, so that the eight
 * variables never have to be shuffled. */
#define ROUND(a, b, c, d, e, f, g, h, i)                                                       \
	do {                                                                                   \
		uint64_t t1 = h + BIG_SIGMA1(e) + CHOOSE(e, f, g) + round_constants[i] + w[i]; \
		uint64_t t2 = BIG_SIGMA0(a) + MAJORITY(a, b, c);                               \
		d += t1;                                                                       \
		h = t1 + t2;                                                                   \
	} while (0)

static void compress(uint64_t state[8], const uint8_t *block)
{
	uint64_t w[80];
	for (int i = 0; i < 16; i++)
		w[i] = load_be64(block + 8 * i);
	for (int i = 16; i < 80; i++)
		w[i] = SMALL_SIGMA1(w[i - 2]) + w[i - 7] + SMALL_SIGMA0(w[i - 15]) + w[i - 16];
	uint64_t a = state[0], b = state[1], c = state[2], d = state[3];
	uint64_t e = state[4], f = state[5], g = state[6], h = state[7];
	/* Fully unrolled: about 10% faster than the rolled loop at -O2. */
#pragma GCC unroll 10
	for (int i = 0; i < 80; i += 8) {
		ROUND(a, b, c, d, e, f, g, h, i + 0);
		ROUND(h, a, b, c, d, e, f, g, i + 1);
		ROUND(g, h, a, b, c, d, e, f, i + 2);
		ROUND(f, g, h, a, b, c, d, e, i + 3);
		ROUND(e, f, g, h, a, b, c, d, i + 4);
		ROUND(d, e, f, g, h, a, b, c, i + 5);
		ROUND(c, d, e, f, g, h, a, b, i + 6);
		ROUND(b, c, d, e, f, g, h, a, i + 7);
	}
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
}

void sha512_init(struct sha512 *ctx)
{
	static const uint64_t initial[8] = {
		0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
		0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
	};
	memcpy(ctx->state, initial, sizeof initial);
	ctx->length = 0;
	ctx->used = 0;
}

void sha512_update(struct sha512 *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;
	ctx->length += len;
	if (ctx->used > 0) {
		size_t take = sizeof ctx->block - ctx->used;
		if (take > len)
			take = len;
		memcpy(ctx->block + ctx->used, p, take);
		ctx->used += take;
		p += take;
		len -= take;
		if (ctx->used < sizeof ctx->block)
			return;
		compress(ctx->state, ctx->block);
		ctx->used = 0;
	}
	for (; len >= 128; p += 128, len -= 128)
		compress(ctx->state, p);
	memcpy(ctx->block, p, len);
	ctx->used = len;
}

void sha512_final(struct sha512 *ctx, uint8_t digest[SHA512_DIGEST_SIZE])
{
	uint64_t bits = ctx->length * 8;
	ctx->block[ctx->used++] = 0x80;
	if (ctx->used > 112) {
		memset(ctx->block + ctx->used, 0, sizeof ctx->block - ctx->used);
		compress(ctx->state, ctx->block);
		ctx->used = 0;
	}
	memset(ctx->block + ctx->used, 0, 120 - ctx->used); /* high 64 bits of the length are 0 */
	store_be64(ctx->block + 120, bits);
	compress(ctx->state, ctx->block);
	for (int i = 0; i < 8; i++)
		store_be64(digest + 8 * i, ctx->state[i]);
}

void sha512_final_hex(struct sha512 *ctx, char hex[SHA512_HEX_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t digest[SHA512_DIGEST_SIZE];
	sha512_final(ctx, digest);
	for (int i = 0; i < SHA512_DIGEST_SIZE; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[128] = '\0';
}
