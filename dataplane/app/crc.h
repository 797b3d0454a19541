/* CRC32 hashing of table keys (SSE4.2: a few instructions a key). */
#ifndef AFTR_CRC_H
#define AFTR_CRC_H

#include <rte_hash_crc.h>
#include <stdint.h>
#include <string.h>

/* rte_hash_crc for a key of any alignment: DPDK's reads 8-byte words
 * through a cast, undefined for our 4-byte-aligned keys (UBSan stops on
 * it); memcpy compiles to the same loads. An rte_hash_function. */
static inline uint32_t dp_crc(const void *key, uint32_t len, uint32_t init)
{
	const uint8_t *p = key;
	uint64_t w8;
	uint32_t w4;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w8, p, 8);
		init = rte_hash_crc_8byte(w8, init);
	}
	if (len >= 4) {
		memcpy(&w4, p, 4);
		init = rte_hash_crc_4byte(w4, init);
		len -= 4;
		p += 4;
	}
	while (len--)
		init = rte_hash_crc_1byte(*p++, init);
	return init;
}

#endif
