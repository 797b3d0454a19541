/* The Toeplitz hash NICs spread packets over RX queues with (RSS,
 * Microsoft's "Receive-Side Scaling" specification; DPDK's rte_softrss is
 * the same function bit by bit), so that software can tell which queue a
 * packet arrives on: the workers own a B4 by the queue its softwire's
 * packets reach (DESIGN.md: transport RSS lands a B4's packets on its
 * owner). The hash is linear (XOR) in its input bits, so a 16-byte field
 * at a known place in the input is hashed by 16 table lookups, one per
 * byte, and the parts of several fields XOR together. */
#ifndef AFTR_RSS_H
#define AFTR_RSS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The key the dataplane programs: Microsoft's verification key, the usual
 * default, zero-padded to the longest key a NIC takes (52 bytes). */
#define RSS_KEY_LEN     52
#define RSS_KEY_STD_LEN 40
extern const uint8_t rss_key[RSS_KEY_LEN];

/* The hash of len input bytes under a key of key_len bytes (past its end
 * the key reads as zeros): bit by bit, for set-up and tests. */
uint32_t rss_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len);

/* A 16-byte field (an IPv6 address) at input byte `at`: its part of the
 * hash, by byte. */
struct rss_table {
	uint32_t t[16][256];
};

void rss_table_init(struct rss_table *t, const uint8_t *key, size_t key_len, size_t at);

/* Byte i of the field indexes table i. On a little-endian machine, two
 * 8-byte loads and a shift a byte, unrolled (a loop of byte loads cost
 * three times the instructions). */
static inline uint32_t rss_hash16(const struct rss_table *t, const uint8_t *a)
{
	uint32_t h = 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w[2];

	memcpy(w, a, 16);
#pragma GCC unroll 16
	for (int i = 0; i < 16; i++)
		h ^= t->t[i][(uint8_t)(w[i / 8] >> (8 * (i % 8)))];
#else
	for (int i = 0; i < 16; i++)
		h ^= t->t[i][a[i]];
#endif
	return h;
}

#endif
