/* The Toeplitz hash; see rss.h. */
#include "rss.h"

/* Aligned: DPDK's rte_softrss reads it as 32-bit words. */
const uint8_t rss_key[RSS_KEY_LEN] __attribute__((aligned(8))) = {
        0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
        0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
        0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

static uint8_t key_byte(const uint8_t *key, size_t key_len, size_t i)
{
	return i < key_len ? key[i] : 0;
}

/* The 32 key bits from bit `bit` on (the most significant bit of byte 0
 * is bit 0): what an input bit at that place adds to the hash. */
static uint32_t window(const uint8_t *key, size_t key_len, size_t bit)
{
	uint64_t w = 0;

	for (size_t i = 0; i < 5; i++)
		w = w << 8 | key_byte(key, key_len, bit / 8 + i);
	return (uint32_t)(w >> (8 - bit % 8));
}

uint32_t rss_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len)
{
	uint32_t h = 0;

	for (size_t bit = 0; bit < len * 8; bit++)
		if (in[bit / 8] & (0x80 >> (bit % 8)))
			h ^= window(key, key_len, bit);
	return h;
}

void rss_table_init(struct rss_table *t, const uint8_t *key, size_t key_len, size_t at)
{
	for (size_t i = 0; i < 16; i++)
		for (unsigned int v = 0; v < 256; v++) {
			uint32_t h = 0;

			for (unsigned int b = 0; b < 8; b++)
				if (v & (0x80u >> b))
					h ^= window(key, key_len, (at + i) * 8 + b);
			t->t[i][v] = h;
		}
}
